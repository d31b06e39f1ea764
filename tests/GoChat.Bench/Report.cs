using System.Globalization;
using System.Text;
using System.Text.Json;
using GoChat.Bench.Scenarios;

namespace GoChat.Bench;

/// <summary>The Markdown table printed at the end and the JSON results file.</summary>
public static class Report
{
    public static string Markdown(IReadOnlyList<ScenarioResult> results)
    {
        var md = new StringBuilder();
        md.AppendLine("| scenario | unit | GoChat | baseline | ratio | GoChat p50/p95/p99 ms | baseline p50/p95/p99 ms | errors (GoChat/baseline) |");
        md.AppendLine("|---|---|---:|---:|---:|---|---|---|");
        foreach (var r in results)
            md.AppendLine($"| {r.Name} | {r.Unit} | {Rate(r.GoChat)} | {Rate(r.Baseline)} | {(r.Ratio is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "-")} | {Latency(r.GoChat)} | {Latency(r.Baseline)} | {r.GoChat?.Errors.ToString() ?? "-"}/{r.Baseline?.Errors.ToString() ?? "-"} |");
        md.AppendLine();
        foreach (var r in results.Where(r => r.Note.Length > 0))
            md.AppendLine($"- {r.Name}: {r.Note}");
        foreach (var r in results)
        {
            if (r.GoChat?.Extra.GetValueOrDefault("halfRate") is { } half)
                md.AppendLine($"- {r.Name}, GoChat paced at half its maximum rate: {JsonSerializer.Serialize(half)}");
            foreach (var (side, s) in new[] { ("GoChat", r.GoChat), ("baseline", r.Baseline) })
                if (s?.Extra.GetValueOrDefault("serverCpuPct") is { } server)
                    md.AppendLine($"- {r.Name}, {side} run, CPU (% of one core): server {server}, its PostgreSQL {s.Extra["postgresCpuPct"]}, bench clients {s.Extra["benchCpuPct"]}, rest of the machine {s.Extra["otherCpuPct"]}");
        }
        return md.ToString();
    }

    public static async Task WriteJsonAsync(string path, IReadOnlyList<ScenarioResult> results, BenchOptions options)
    {
        var json = new Dictionary<string, object?>
        {
            ["date"] = DateTime.UtcNow.ToString("u", CultureInfo.InvariantCulture),
            ["quick"] = options.Quick,
            ["machine"] = new { processors = Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription },
            ["scenarios"] = results.ToDictionary(r => r.Name, r => (object)new
            {
                unit = r.Unit,
                gochat = Side(r.GoChat),
                baseline = Side(r.Baseline),
                ratio = r.Ratio is { } x ? Math.Round(x, 3) : (double?)null,
                note = r.Note,
            }),
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }));
    }

    static object? Side(SideResult? s) => s?.ToJson();

    static string Rate(SideResult? s) => s is null ? "-" : s.Throughput.ToString("N0", CultureInfo.InvariantCulture);

    static string Latency(SideResult? s) => s is null ? "-"
        : string.Create(CultureInfo.InvariantCulture, $"{s.P50Ms:0.0} / {s.P95Ms:0.0} / {s.P99Ms:0.0}");
}
