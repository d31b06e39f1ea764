using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using NpgsqlTypes;

namespace GoChat.Bench.Scenarios;

/// <summary>
/// A direct conversation bulk-loaded (COPY, straight into GoChat's messages table) with N messages, then
/// random 50-message pages by beforeSeq through the REST route; GoChat only, there is no baseline.
/// </summary>
public static class HistoryScenario
{
    const int PageSize = 50;
    const int Readers = 1;

    public static async Task<SideResult> RunAsync(Target target, string connectionString, BenchOptions options)
    {
        var users = await target.FreshUsersAsync(2, "history");
        var (reader, peer) = (users[0], users[1]);
        var conversationId = await target.OpenDirectAsync(reader, peer.UserId);
        var rows = options.HistoryRows;

        var load = Stopwatch.StartNew();
        await BulkLoadAsync(connectionString, conversationId, reader.UserId, peer.UserId, rows);
        Progress.Line($"  history: {rows:N0} messages loaded into {conversationId} in {load.Elapsed.TotalSeconds:0.0} s (COPY + ANALYZE)");

        var latencies = new LatencyRecorder();
        long errors = 0, pages = 0;
        using var stop = new CancellationTokenSource(options.RunTime);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Readers).Select(r => Task.Run(async () =>
        {
            var random = new Random(r);
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref pages) <= options.HistoryPages)
            {
                var beforeSeq = random.NextInt64(PageSize + 1, rows + 2);
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/conversations/{conversationId}/messages?beforeSeq={beforeSeq}&limit={PageSize}");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", reader.Token);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await target.Http.SendAsync(request);
                    var page = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<BenchMessage[]>() : null;
                    latencies.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (page is null || page.Length != PageSize || page[^1].Seq != beforeSeq - 1) Interlocked.Increment(ref errors);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        })));
        var done = latencies.Count;
        return SideResult.From(done / clock.Elapsed.TotalSeconds, latencies, errors, new()
        {
            ["rows"] = rows,
            ["pages"] = done,
            ["pageSize"] = PageSize,
            ["readers"] = Readers,
            ["loadSeconds"] = Math.Round(load.Elapsed.TotalSeconds, 1),
        });
    }

    static async Task BulkLoadAsync(string connectionString, string conversationId, long a, long b, int rows)
    {
        await using var db = new NpgsqlConnection(connectionString);
        await db.OpenAsync();
        var start = DateTime.UtcNow.AddSeconds(-rows);
        await using (var copy = await db.BeginBinaryImportAsync(
            "COPY messages (conversation_id, seq, sender_id, kind, text, client_msg_id, sent_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var seq = 1L; seq <= rows; seq++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(conversationId, NpgsqlDbType.Text);
                await copy.WriteAsync(seq, NpgsqlDbType.Bigint);
                await copy.WriteAsync(seq % 2 == 0 ? a : b, NpgsqlDbType.Bigint);
                await copy.WriteAsync((short)1, NpgsqlDbType.Smallint);
                await copy.WriteAsync($"history message {seq}", NpgsqlDbType.Text);
                await copy.WriteAsync($"h{seq}", NpgsqlDbType.Text);
                await copy.WriteAsync(start.AddSeconds(seq), NpgsqlDbType.TimestampTz);
                if (seq % 250_000 == 0) Progress.Line($"  history: {seq:N0}/{rows:N0} rows written");
            }
            await copy.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE messages", db);
        analyze.CommandTimeout = 300;
        await analyze.ExecuteNonQueryAsync();
    }
}
