using Microsoft.AspNetCore.SignalR;

namespace GoChat.Bench.Baseline;

public sealed record SendMessageRequest(string ConversationId, string ClientMsgId, string Kind, string? Text);

public sealed record BaselineMessage(long Id, string ConversationId, long Seq, long SenderId, string Kind, string? Text,
    string ClientMsgId, DateTime SentAt, bool Recalled);

/// <summary>
/// The bare relay GoChat is measured against: GoChat's hub method names and shapes, no Orleans, no database.
/// The access token is the user id; a direct message goes to both participants (as GoChat does), a group
/// message to the SignalR group of the group's connected members.
/// </summary>
public sealed class BaselineHub(BaselineState state) : Hub
{
    long UserId => (long)Context.Items["userId"]!;

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext()!;
        var token = http.Request.Query["access_token"].FirstOrDefault()
            ?? http.Request.Headers.Authorization.FirstOrDefault()?.Replace("Bearer ", "", StringComparison.Ordinal);
        if (!long.TryParse(token, out var userId)) throw new HubException("unauthenticated");
        Context.Items["userId"] = userId;
        await Groups.AddToGroupAsync(Context.ConnectionId, $"u:{userId}");
    }

    public async Task<object[]> Sync()
    {
        foreach (var group in state.GroupsOf(UserId))
            await Groups.AddToGroupAsync(Context.ConnectionId, $"g:{group}");
        return [];
    }

    public async Task<BaselineMessage> SendMessage(SendMessageRequest request)
    {
        var (id, seq) = state.NextMessage(request.ConversationId);
        var message = new BaselineMessage(id, request.ConversationId, seq, UserId, request.Kind, request.Text,
            request.ClientMsgId, DateTime.UtcNow, false);
        var parts = request.ConversationId.Split(':');
        var recipients = parts is ["d", var lo, var hi] ? Clients.Groups($"u:{lo}", $"u:{hi}")
            : parts is ["g", _] ? Clients.Group(request.ConversationId)
            : throw new HubException("malformed conversation id");
        await recipients.SendAsync("message", message);
        return message;
    }
}
