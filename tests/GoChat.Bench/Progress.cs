namespace GoChat.Bench;

/// <summary>Progress lines while the bench runs, stamped with the time since it started.</summary>
public static class Progress
{
    static readonly System.Diagnostics.Stopwatch Clock = System.Diagnostics.Stopwatch.StartNew();

    public static void Line(string text) => Console.WriteLine($"[{Clock.Elapsed:mm\\:ss}] {text}");
}
