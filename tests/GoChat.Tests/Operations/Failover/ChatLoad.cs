using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace GoChat.Tests.Operations.Failover;

/// <summary>How long clients could not get a send acknowledged after one fault.</summary>
public sealed record Outage(string Fault, TimeSpan Worst, TimeSpan Median, string WorstChatter);

/// <summary>
/// People on both WebFronts of a <see cref="FailoverCluster"/> chatting in direct conversations and
/// groups at a bounded pace, while a test injects faults; afterwards, what each was acknowledged
/// and what each holds is compared with what PostgreSQL stored.
/// </summary>
public sealed class ChatLoad : IAsyncDisposable
{
    const int MaxSendsEach = 2_000;
    static readonly TimeSpan RecoveryWithin = TimeSpan.FromSeconds(45);
    static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    readonly FailoverCluster _cluster;
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly CancellationTokenSource _stop = new();
    readonly List<(Chatter Chatter, IReadOnlyList<string> Conversations)> _people = [];
    readonly List<(long Id, string Token)> _users = [];
    readonly Dictionary<string, List<Chatter>> _members = [];
    readonly List<Outage> _outages = [];
    Task _running = Task.CompletedTask;

    ChatLoad(FailoverCluster cluster) => _cluster = cluster;

    public IReadOnlyList<Outage> Outages => _outages;
    public IEnumerable<Chatter> Chatters => _people.Select(p => p.Chatter);

    /// <summary>
    /// Signs <paramref name="people"/> people up (an even number), half on each WebFront; pairs them in
    /// direct conversations across the fronts, puts each half in a group and everyone in a third, and
    /// starts them chatting.
    /// </summary>
    public static async Task<ChatLoad> StartAsync(FailoverCluster cluster, int people)
    {
        var load = new ChatLoad(cluster);
        using var http = new HttpClient { BaseAddress = cluster.Fronts[0].Address, Timeout = TimeSpan.FromSeconds(30) };
        var users = load._users;
        for (var i = 0; i < people; i++) users.Add(await RegisterAsync(http, $"load{i}"));

        var half = people / 2;
        var groupOfFirstHalf = await CreateGroupAsync(http, users[0].Token, "first half", users.Take(half));
        var groupOfSecondHalf = await CreateGroupAsync(http, users[half].Token, "second half", users.Skip(half));
        var everyone = await CreateGroupAsync(http, users[0].Token, "everyone", users);
        for (var i = 0; i < people; i++)
        {
            var partner = users[i ^ 1];
            var direct = $"d:{Math.Min(users[i].Id, partner.Id)}:{Math.Max(users[i].Id, partner.Id)}";
            var chatter = new Chatter($"load{i}", users[i].Id, users[i].Token, cluster.Fronts, i % cluster.Fronts.Count, load._clock);
            IReadOnlyList<string> conversations = [direct, i < half ? groupOfFirstHalf : groupOfSecondHalf, everyone];
            load._people.Add((chatter, conversations));
            foreach (var conversation in conversations)
            {
                if (!load._members.TryGetValue(conversation, out var members)) load._members[conversation] = members = [];
                members.Add(chatter);
            }
        }
        await Task.WhenAll(load._people.Select(p => p.Chatter.ConnectAsync(p.Conversations)));
        load._running = Task.WhenAll(load.Chatters.Select(c => c.RunAsync(MaxSendsEach, load._stop.Token)));
        await load.WaitUntilEveryoneSendsAsync(load._clock.Elapsed, "the start");
        return load;
    }

    /// <summary>
    /// Makes sure a fault of <paramref name="node"/> costs some conversations their grain: placement
    /// spreads grains over the silos by their load, in bursts, and may have put none there. Until it
    /// holds one, opens another group of everyone (a second apart, at most <paramref name="groups"/>).
    /// On a busy machine placement can keep every new conversation on the calling WebFronts for all
    /// of those tries (seen in full-suite runs, never alone): the fault then still has to cost the
    /// node grains of ours (users, delivery routes), and the fault's name says what it hosted.
    /// </summary>
    public async Task<int> EnsureConversationsOnAsync(ClusterNode node, int groups = 15)
    {
        using var http = new HttpClient { BaseAddress = _cluster.Fronts[0].Address, Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < groups; i++)
        {
            if (await node.ActivationsAsync("conversation") is var held and > 0) return held;
            var group = await CreateGroupAsync(http, _users[0].Token, $"more {node.Name} {i}", _users);
            _members[group] = [.. Chatters];
            foreach (var chatter in Chatters) chatter.Join(group);
            var opened = _clock.Elapsed;
            await WaitUntilEveryoneSendsAsync(opened, $"opening {group}");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        var last = await node.ActivationsAsync("conversation");
        if (last > 0) return last;
        var others = await node.ActivationsAsync("user") + await node.ActivationsAsync("chatroute");
        Assert.True(others > 0, $"{node.Name} was given no grain of ours (conversation, user or route) in {groups} tries");
        return 0;
    }

    /// <summary>
    /// Injects a fault and measures, per person, the longest time from the fault on without an
    /// acknowledged send, until everyone has sent again after it.
    /// </summary>
    public async Task<Outage> FaultAsync(string fault, Func<Task> inject)
    {
        var at = _clock.Elapsed;
        await inject();
        var injected = _clock.Elapsed;
        await WaitUntilEveryoneSendsAsync(injected, fault);
        await Task.Delay(Settle);
        var until = _clock.Elapsed;
        var waits = Chatters.Select(c => (Chatter: c, Wait: LongestWait(c.Acks, at, until))).OrderBy(w => w.Wait).ToList();
        var outage = new Outage(fault, waits[^1].Wait, waits[waits.Count / 2].Wait, waits[^1].Chatter.Name);
        _outages.Add(outage);
        return outage;
    }

    public Task FaultAsync(string fault, Action inject) => FaultAsync(fault, () =>
    {
        inject();
        return Task.CompletedTask;
    });

    /// <summary>The longest stretch within [from, until] between two acknowledged sends (or the ends of the stretch).</summary>
    static TimeSpan LongestWait(IEnumerable<Acknowledged> acks, TimeSpan from, TimeSpan until)
    {
        var last = from;
        var longest = TimeSpan.Zero;
        foreach (var at in acks.Select(a => a.At).Where(t => t > from && t <= until).Order())
        {
            if (at - last > longest) longest = at - last;
            last = at;
        }
        return until - last > longest ? until - last : longest;
    }

    async Task WaitUntilEveryoneSendsAsync(TimeSpan after, string fault)
    {
        var deadline = _clock.Elapsed + RecoveryWithin;
        while (true)
        {
            var waiting = Chatters.Where(c => c.Acks.Count(a => a.At > after) < 2).Select(c => $"{c.Name} (on {c.Front.Name})").ToList();
            if (waiting.Count == 0) return;
            if (_running.IsFaulted) await _running; // a chatter gave up: its assertion says why
            Assert.True(_clock.Elapsed < deadline,
                $"after {fault}, not every client could send again within {RecoveryWithin}: {string.Join(", ", waiting)}\n{_cluster.Logs()}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Stops the load, lets everyone fill their gaps, then checks every conversation: each acknowledged
    /// send is stored once, under the seq and id it was acknowledged with, each sender's in the order
    /// sent; nothing is stored that was not acknowledged; each member holds exactly what was stored.
    /// </summary>
    public async Task StopAndVerifyAsync()
    {
        await _stop.CancelAsync();
        await _running;
        await Task.WhenAll(Chatters.Select(c => c.ResyncAsync()));

        var problems = new List<string>();
        foreach (var chatter in Chatters)
        {
            problems.AddRange(chatter.Conflicts.Select(c => $"{chatter.Name} saw {c}"));
            foreach (var sent in chatter.Acks.GroupBy(a => a.ConversationId))
            {
                var seqs = sent.Select(a => a.Seq).ToList();
                if (!seqs.Zip(seqs.Skip(1)).All(p => p.First < p.Second))
                    problems.Add($"{chatter.Name}'s sends to {sent.Key} were acknowledged out of order: {string.Join(",", seqs)}");
            }
        }
        foreach (var (conversation, members) in _members)
        {
            var stored = await StoredAsync(conversation);
            var acknowledged = members.SelectMany(m => m.Acks.Where(a => a.ConversationId == conversation).Select(a => (Sender: m.UserId, Ack: a))).ToList();
            foreach (var (sender, ack) in acknowledged)
            {
                if (!stored.TryGetValue(ack.Seq, out var row)) problems.Add($"{conversation}: acknowledged seq {ack.Seq} ({ack.ClientMsgId}) is not stored");
                else if (row != (ack.MessageId, sender, ack.ClientMsgId, ack.Text))
                    problems.Add($"{conversation}: seq {ack.Seq} was acknowledged as {ack.MessageId}/{ack.ClientMsgId} but stored as {row}");
            }
            if (stored.Count != acknowledged.Count)
                problems.Add($"{conversation}: {stored.Count} messages stored, {acknowledged.Count} acknowledged");
            foreach (var duplicate in stored.Values.GroupBy(r => r.Text).Where(g => g.Count() > 1))
                problems.Add($"{conversation}: '{duplicate.Key}' is stored {duplicate.Count()} times");
            var expected = stored.ToDictionary(s => s.Key, s => s.Value.Id);
            foreach (var member in members)
            {
                var held = member.Held(conversation);
                var missing = expected.Keys.Where(seq => !held.ContainsKey(seq)).ToList();
                var wrong = held.Where(h => !expected.TryGetValue(h.Key, out var id) || id != h.Value).Select(h => h.Key).ToList();
                if (missing.Count > 0) problems.Add($"{member.Name} lacks {missing.Count} messages of {conversation} after resync, e.g. seq {missing[0]}");
                if (wrong.Count > 0) problems.Add($"{member.Name} holds {wrong.Count} messages of {conversation} not stored so, e.g. seq {wrong[0]}");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30)));
    }

    async Task<Dictionary<long, (long Id, long Sender, string ClientMsgId, string Text)>> StoredAsync(string conversationId)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT seq, id, sender_id, client_msg_id, text FROM messages WHERE conversation_id = $1", connection);
        command.Parameters.AddWithValue(conversationId);
        await using var reader = await command.ExecuteReaderAsync();
        var stored = new Dictionary<long, (long, long, string, string)>();
        while (await reader.ReadAsync())
            stored[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4));
        return stored;
    }

    /// <summary>The messages sent and people counted, for a report.</summary>
    public string Summary => $"{Chatters.Count()} people, {_members.Count} conversations, {Chatters.Sum(c => c.Acks.Count)} messages acknowledged, " +
        $"{Chatters.Sum(c => c.Reconnects)} reconnects";

    static async Task<(long Id, string Token)> RegisterAsync(HttpClient http, string username)
    {
        var response = await http.PostAsJsonAsync("/api/v1/auth/register", new { username, password = "failover-pw" });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"register {username}: {body}");
        return (body.GetProperty("userId").GetInt64(), body.GetProperty("token").GetString()!);
    }

    static async Task<string> CreateGroupAsync(HttpClient http, string ownerToken, string name, IEnumerable<(long Id, string Token)> members)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/groups")
        {
            Content = JsonContent.Create(new { name, memberIds = members.Select(m => m.Id).ToArray() }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ownerToken);
        var response = await http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"create group {name}: {body}");
        return body.GetProperty("conversationId").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(70));
        }
        catch (Exception)
        {
            // Already reported by the test that ran the load.
        }
        foreach (var chatter in Chatters) await chatter.DisposeAsync();
    }
}
