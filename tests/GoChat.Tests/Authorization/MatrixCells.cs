using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GoChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace GoChat.Tests.Authorization;

/// <summary>
/// What a cell of the matrix answers, in words shared by every dialect: native HTTP statuses,
/// douyin status codes, ginchat's code and message, the hub's HubException reasons, a socket's
/// refusal frame.
/// </summary>
public enum Answer
{
    /// <summary>Done (2xx, status_code 0, code 0, a completed call, a frame sent).</summary>
    Ok,
    /// <summary>No valid token (401, status_code 2, "token", the hub or socket does not open).</summary>
    Unauth,
    /// <summary>Not allowed (403, status_code 3, "not a member", "only the ...").</summary>
    Forbidden,
    /// <summary>Not found, for this caller (404, status_code 4): media others may not read looks like none.</summary>
    Hidden,
    /// <summary>Refused for another reason than who asks (400, status_code 1, another HubException).</summary>
    Invalid,
    /// <summary>A list that holds the situation's group (or message) for this caller.</summary>
    Listed,
    /// <summary>A list that does not.</summary>
    Unlisted,
}

/// <summary>One row: what is done, and the answer each actor must get.</summary>
public sealed record MatrixRow(string What, Answer Anonymous, Answer Outsider, Answer Member, Answer Admin, Answer Owner)
{
    public Answer For(Actor actor) => actor switch
    {
        Actor.Anonymous => Anonymous,
        Actor.Outsider => Outsider,
        Actor.Member => Member,
        Actor.Admin => Admin,
        _ => Owner,
    };

    /// <summary>Reads change nothing: their cells share one situation. Every other cell gets its own.</summary>
    public bool Changes => !(What.StartsWith("GET ", StringComparison.Ordinal) || What.Contains(" lists ", StringComparison.Ordinal)
        || What.StartsWith("hub Typing", StringComparison.Ordinal));

    public bool NeedsCall => What.Contains("{call}", StringComparison.Ordinal) || What.Contains("{answeredCall}", StringComparison.Ordinal)
        || What.StartsWith("hub StartCall", StringComparison.Ordinal);

    /// <summary>The route or hub method the row is about, as the API surface names it ("GET /api/v1/media/{}", "hub Sync", "GET /user/sendMsg").</summary>
    public string Subject
    {
        get
        {
            var words = What.Split(' ');
            if (words[0] == "hub") return $"hub {words[1]}";
            if (words[0] == "socket") return $"GET /user/{words[1]}";
            var path = System.Text.RegularExpressions.Regex.Replace(words[1].Split('?')[0], @"\{[^}]*\}", "{}").TrimEnd('/');
            return $"{words[0]} {path}";
        }
    }

    public override string ToString() => What;
}

/// <summary>
/// Performs a row's action as an actor, on a situation, and says what the answer was. The row's
/// words are the instruction: "METHOD /path[?query] [body]" for HTTP (the token goes in the bearer
/// header natively, as ?token= on douyin and ginchat routes); "hub Method args" on the actor's hub
/// connection; "socket sendUserMsg|sendMsg to" as one frame on the actor's ginchat socket.
/// Placeholders in braces are the situation's ids.
/// </summary>
public sealed class MatrixCells(MatrixScene scene)
{
    public async Task<(Answer Answer, string Detail)> RunAsync(MatrixRow row, Actor actor, Situation situation)
    {
        var words = Fill(row.What, actor, situation).Split(' ');
        return words[0] switch
        {
            "hub" => await HubAsync(words, actor, situation),
            "socket" => await SocketAsync(words, actor),
            _ => await HttpAsync(row, words, actor, situation),
        };
    }

    string Fill(string what, Actor actor, Situation s)
    {
        var self = actor == Actor.Anonymous ? 0 : scene[actor].Id;
        var peer = actor == Actor.Owner ? scene[Actor.Member].Id : scene[Actor.Owner].Id;
        return what
            .Replace("{group}", s.Group).Replace("{groupId}", $"{s.GroupId}").Replace("{direct}", scene.Direct)
            .Replace("{ownerGroupSeq}", $"{s.OwnerGroupSeq}").Replace("{memberGroupSeq}", $"{s.MemberGroupSeq}")
            .Replace("{ownerDirectSeq}", $"{s.OwnerDirectSeq}").Replace("{memberDirectSeq}", $"{s.MemberDirectSeq}")
            .Replace("{sharedMedia}", $"{s.SharedMedia}").Replace("{directMedia}", $"{s.DirectMedia}")
            .Replace("{privateMedia}", $"{s.PrivateMedia}").Replace("{recalledMedia}", $"{s.RecalledMedia}")
            .Replace("{memberComment}", $"{s.MemberComment}").Replace("{video}", $"{scene.VideoId}")
            .Replace("{call}", s.CallId ?? "").Replace("{answeredCall}", s.CallId ?? "")
            .Replace("{owner}", $"{scene[Actor.Owner].Id}").Replace("{member}", $"{scene[Actor.Member].Id}")
            .Replace("{admin}", $"{scene[Actor.Admin].Id}").Replace("{self}", $"{self}").Replace("{peer}", $"{peer}");
    }

    async Task<(Answer, string)> HttpAsync(MatrixRow row, string[] words, Actor actor, Situation situation)
    {
        var (method, url) = (words[0], words[1]);
        var legacy = !url.StartsWith("/api/", StringComparison.Ordinal);
        var token = actor == Actor.Anonymous ? null : scene[actor].Token;
        if (legacy && token is not null) url += (url.Contains('?') ? "&" : "?") + $"token={token}";
        using var client = scene.Host.Client(legacy ? null : token);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (words.Length > 2 && words[2] != "lists") request.Content = JsonContent.Create(await BodyAsync(words[2], situation));
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var detail = $"{(int)response.StatusCode} {Shorten(text)}";
        if (legacy && response.Content.Headers.ContentType?.MediaType == "application/json" && response.StatusCode == HttpStatusCode.OK)
            return (LegacyAnswer(JsonDocument.Parse(text).RootElement, words), detail);
        if (response.IsSuccessStatusCode && words.Length > 3 && words[2] == "lists") return (Lists(text, words[3]), detail);
        return ((int)response.StatusCode switch
        {
            >= 200 and < 300 => Answer.Ok,
            401 => Answer.Unauth,
            403 => Answer.Forbidden,
            404 => Answer.Hidden,
            400 => Answer.Invalid,
            _ => (Answer)(-1),
        }, detail);
    }

    /// <summary>The douyin envelope's status_code, or ginchat's code with the words that say why.</summary>
    static Answer LegacyAnswer(JsonElement body, string[] words)
    {
        if (body.TryGetProperty("status_code", out var status))
            return status.GetInt32() switch
            {
                0 when words.Length > 3 && words[2] == "lists" => Lists(body.GetRawText(), words[3]),
                0 => Answer.Ok,
                2 => Answer.Unauth,
                3 => Answer.Forbidden,
                4 => Answer.Hidden,
                1 => Answer.Invalid,
                _ => (Answer)(-1),
            };
        var code = (body.TryGetProperty("code", out var c) ? c : body.GetProperty("Code")).GetInt32();
        var message = (body.TryGetProperty("message", out var m) ? m : body.GetProperty("Msg")).GetString() ?? "";
        if (code == 0) return words.Length > 3 && words[2] == "lists" ? Lists(body.GetRawText(), words[3]) : Answer.Ok;
        return message.Contains("token", StringComparison.Ordinal) ? Answer.Unauth
            : message.Contains("your own", StringComparison.Ordinal) || message.Contains("only", StringComparison.Ordinal) ? Answer.Forbidden
            : Answer.Invalid;
    }

    /// <summary>Whether a list holds <paramref name="needle"/> (a conversation id, a group id, a text) as a whole JSON value.</summary>
    static Answer Lists(string json, string needle)
    {
        var found = false;
        void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Walk(p.Value); break;
                case JsonValueKind.Array: foreach (var i in e.EnumerateArray()) Walk(i); break;
                case JsonValueKind.String: found |= e.GetString() == needle; break;
                case JsonValueKind.Number: found |= e.GetRawText() == needle; break;
            }
        }
        Walk(JsonDocument.Parse(json).RootElement);
        return found ? Answer.Listed : Answer.Unlisted;
    }

    async Task<object> BodyAsync(string name, Situation s) => name switch
    {
        "text" => new { clientMsgId = Guid.NewGuid().ToString("N"), kind = "text", text = "hello" },
        "seq" => new { seq = 1 },
        "edit" => new { text = "edited" },
        "spare" => new { userIds = new[] { await scene.SpareAsync() } },
        "with-member" => new { userId = scene[Actor.Member].Id },
        "owner-private-image" => new { clientMsgId = Guid.NewGuid().ToString("N"), kind = "image", mediaId = s.PrivateMedia },
        _ => throw new ArgumentException($"no body named {name}"),
    };

    async Task<(Answer, string)> HubAsync(string[] words, Actor actor, Situation _)
    {
        if (actor == Actor.Anonymous)
        {
            // No token, no connection: the hub's negotiation refuses it.
            using var anonymous = scene.Host.Client();
            var refused = await anonymous.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", null);
            return (refused.StatusCode == HttpStatusCode.Unauthorized ? Answer.Unauth : Answer.Ok, $"negotiate: {(int)refused.StatusCode}");
        }
        var hub = scene[actor].Hub.Connection;
        try
        {
            var result = words[1] switch
            {
                "SendMessage" => await hub.InvokeAsync<JsonElement>("SendMessage",
                    new { conversationId = words[2], clientMsgId = Guid.NewGuid().ToString("N"), kind = "text", text = "hello" }),
                "MarkRead" or "StopReply" => await InvokeVoid(hub, words[1], words[2], long.Parse(words[3])),
                "Typing" => await InvokeVoid(hub, "Typing", words[2]),
                "Sync" => await hub.InvokeAsync<JsonElement>("Sync"),
                "StartCall" => await hub.InvokeAsync<JsonElement>("StartCall", words[2], words[3]),
                "SendCallSignal" => await InvokeVoid(hub, "SendCallSignal", words[2], long.Parse(words[3]),
                    new { description = new { type = words[4], sdp = "v=0" } }),
                var name => await hub.InvokeAsync<JsonElement>(name, words[2]),
            };
            if (words[1] == "StartCall") await InvokeVoid(hub, "LeaveCall", result.GetProperty("callId").GetString()!).ContinueWith(_ => { });
            if (words.Length > 3 && words[2] == "lists") return (Lists(result.GetRawText(), words[3]), "listed?");
            return (Answer.Ok, Shorten(result.GetRawText()));
        }
        catch (HubException e)
        {
            var reason = e.Message[(e.Message.IndexOf("HubException: ", StringComparison.Ordinal) + "HubException: ".Length)..];
            return (reason.StartsWith("not a member", StringComparison.Ordinal) || reason.StartsWith("not a participant", StringComparison.Ordinal)
                || reason.Contains("not a member of", StringComparison.Ordinal) || reason.StartsWith("only ", StringComparison.Ordinal)
                ? Answer.Forbidden : Answer.Invalid, reason);
        }
    }

    static async Task<JsonElement> InvokeVoid(HubConnection hub, string method, params object[] args)
    {
        await hub.InvokeCoreAsync(method, args);
        return JsonDocument.Parse("null").RootElement;
    }

    /// <summary>
    /// One frame on the actor's socket, then a frame the socket cannot read: its refusal marks the end
    /// of the answers, so a refusal before it is the frame's, and none means it was sent.
    /// </summary>
    async Task<(Answer, string)> SocketAsync(string[] words, Actor actor)
    {
        var path = $"/user/{words[1]}";
        if (actor == Actor.Anonymous)
        {
            using var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(scene.SocketUri(path, 1, token: null), CancellationToken.None);
                return (Answer.Ok, "opened");
            }
            catch (WebSocketException e)
            {
                return (Answer.Unauth, e.Message);
            }
        }
        var user = scene[actor];
        var socketToUse = user.Socket;
        ClientWebSocket? broadcast = null;
        if (words[1] == "sendMsg")
        {
            broadcast = new ClientWebSocket();
            await broadcast.ConnectAsync(scene.SocketUri(path, user.Id, user.Token), CancellationToken.None);
            socketToUse = broadcast;
        }
        var frame = words[2] switch
        {
            "group" => new { Type = 2, TargetId = long.Parse(words[3]), Media = 1, Content = "hello group" },
            "direct" => new { Type = 1, TargetId = long.Parse(words[3]), Media = 1, Content = "hello you" },
            _ => new { Type = 3, TargetId = 0L, Media = 1, Content = "hello everyone" },
        };
        await user.SocketTurn.WaitAsync();
        try
        {
            await socketToUse.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(frame)), WebSocketMessageType.Text, true, CancellationToken.None);
            await socketToUse.SendAsync("not json"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
            while (true)
            {
                var (text, _) = await socketToUse.ReceiveMessageAsync();
                var answer = JsonDocument.Parse(text).RootElement;
                var desc = answer.GetProperty("Desc").GetString() ?? "";
                if (answer.GetProperty("FromId").GetInt64() != 0) continue; // a message delivered to this user meanwhile
                if (desc == "the frame is not a Message JSON object") return (Answer.Ok, "sent");
                // The frame's own refusal; the sentinel's follows.
                await socketToUse.ReceiveMessageAsync();
                return (desc.Contains("not a member", StringComparison.Ordinal) || desc.StartsWith("only ", StringComparison.Ordinal) ? Answer.Forbidden : Answer.Invalid, desc);
            }
        }
        finally
        {
            user.SocketTurn.Release();
            broadcast?.Dispose();
        }
    }

    static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "...";
}
