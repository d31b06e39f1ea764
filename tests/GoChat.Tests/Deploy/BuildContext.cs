using System.Diagnostics;
using System.Text.RegularExpressions;
using GoChat.Tests.Infrastructure;

namespace GoChat.Tests.Deploy;

/// <summary>
/// What `docker build .` would send: the checkout's files (those git does not ignore: build output is ignored)
/// less what .dockerignore excludes, copied into a folder of its own.
/// </summary>
public static class BuildContext
{
    public static string CopyTo(string target)
    {
        var ignored = IgnorePatterns();
        foreach (var file in TrackedFiles().Where(f => !ignored.Any(p => p.IsMatch(f))))
        {
            var destination = Path.Combine(target, file);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(Repository.PathOf(file), destination);
        }
        return target;
    }

    /// <summary>Whether .dockerignore keeps <paramref name="path"/> (relative, '/'-separated) in the context.</summary>
    public static bool Keeps(string path) => !IgnorePatterns().Any(p => p.IsMatch(path));

    /// <summary>
    /// .dockerignore lines as regular expressions: '**' any folders, '*' and '?' within one name; a
    /// pattern also excludes everything under what it names. GoChat's file uses no '!' exceptions.
    /// </summary>
    static List<Regex> IgnorePatterns() =>
        File.ReadAllLines(Repository.PathOf(".dockerignore"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l =>
            {
                Assert.False(l.StartsWith('!'), $".dockerignore exceptions are not understood here: {l}");
                var glob = Regex.Escape(l.TrimStart('/').TrimEnd('/'))
                    .Replace(@"\*\*/", "(.*/)?").Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*").Replace(@"\?", "[^/]");
                return new Regex($"^{glob}(/.*)?$");
            })
            .ToList();

    static IEnumerable<string> TrackedFiles()
    {
        var git = Process.Start(new ProcessStartInfo("git", ["-C", Repository.Root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]) { RedirectStandardOutput = true })!;
        var files = git.StandardOutput.ReadToEnd().Split('\0', StringSplitOptions.RemoveEmptyEntries);
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
        return files.Where(f => File.Exists(Repository.PathOf(f)));
    }
}
