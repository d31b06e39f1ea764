namespace GoChat.Tests.Infrastructure;

/// <summary>The checkout the tests were built from: its scripts, manifests and project folders.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GoChat.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no GoChat.sln above {AppContext.BaseDirectory}");
    }
}
