namespace GoChat.Bench;

/// <summary>The command line: which scenarios, how big, against which GoChat.</summary>
public sealed record BenchOptions(bool Quick, IReadOnlyList<string> Scenarios, Uri? Url, string OutFile, int? Pairs = null)
{
    public static readonly string[] AllScenarios = ["direct", "group", "connections", "history", "calls", "bots"];

    /// <summary>Seconds each side of a throughput scenario runs (after a short warm-up).</summary>
    public TimeSpan RunTime => TimeSpan.FromSeconds(Quick ? 10 : 30);

    /// <summary>16 quick, 32 full, or as given by --pairs (to see how the round trip grows with load).</summary>
    public int DirectPairs => Pairs ?? (Quick ? 16 : 32);
    /// <summary>Registration hashes passwords (about 20 users/s here), so --quick halves the group; the goal is stated at 1,000.</summary>
    public int GroupMembers => Quick ? 500 : 1000;
    public int GroupConnected => 200;
    public int GroupSenders => 10;
    public int IdleConnections => Quick ? 2000 : 5000;
    public int HistoryRows => 1_000_000;
    public int HistoryPages => Quick ? 2000 : 10000;
    /// <summary>Call setups in flight at once: the goal is stated at 50.</summary>
    public int CallPairs => 50;
    /// <summary>Chat pairs sending (paced) beside the calls, to see whether calls cost chat its latency.</summary>
    public int CallChatPairs => 8;
    /// <summary>Bot replies streaming at once, each in its own conversation (the issue's figure).</summary>
    public int BotReplies => 200;
    /// <summary>People chatting directly alongside the bots, paced (their p99 is compared with and without bots).</summary>
    public int BotSidePairs => 16;

    public static BenchOptions Parse(string[] args)
    {
        var quick = false;
        var scenarios = new List<string>();
        Uri? url = null;
        var outFile = "results.json";
        int? pairs = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--scenario": scenarios.AddRange(Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "--url": url = new Uri(Value(args, ref i).TrimEnd('/')); break;
                case "--out": outFile = Value(args, ref i); break;
                case "--pairs":
                    pairs = int.TryParse(Value(args, ref i), out var p) && p is >= 1 and <= 1000 ? p : throw new ArgumentException("--pairs needs a number 1-1000");
                    break;
                default: throw new ArgumentException($"unknown argument {args[i]}; usage: [--quick] [--scenario direct,group,connections,history,calls,bots] [--url URL] [--out results.json] [--pairs N]");
            }
        }
        foreach (var s in scenarios)
            if (!AllScenarios.Contains(s)) throw new ArgumentException($"unknown scenario {s}; known: {string.Join(", ", AllScenarios)}");
        return new BenchOptions(quick, scenarios.Count > 0 ? scenarios : AllScenarios, url, outFile, pairs);
    }

    static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
