using System.Text.RegularExpressions;

namespace GoChat.Tests.Deploy;

/// <summary>A Dockerfile read as its stages and instructions (continuation lines joined, comments dropped): enough to check its structure.</summary>
public sealed partial class Dockerfile
{
    public sealed record Instruction(string Keyword, string Arguments);

    public sealed record Stage(string Image, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<string> Arguments(string keyword) =>
            Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
    }

    public IReadOnlyList<Stage> Stages { get; }

    Dockerfile(IReadOnlyList<Stage> stages) => Stages = stages;

    public Stage Final => Stages[^1];

    public static Dockerfile Read(string path)
    {
        var logical = Regex.Replace(File.ReadAllText(path), @"\\\r?\n", " ");
        var stages = new List<Stage>();
        List<Instruction>? current = null;
        foreach (var line in logical.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var match = InstructionLine().Match(line);
            Assert.True(match.Success, $"not an instruction: {line}");
            var (keyword, arguments) = (match.Groups[1].Value.ToUpperInvariant(), Regex.Replace(match.Groups[2].Value, @"\s+", " ").Trim());
            if (keyword == "FROM")
            {
                var from = FromLine().Match(arguments);
                Assert.True(from.Success, $"FROM without an image: {line}");
                current = [];
                stages.Add(new Stage(from.Groups[1].Value, from.Groups[2].Success ? from.Groups[2].Value : null, current));
                continue;
            }
            Assert.True(current is not null || keyword is "ARG", $"{keyword} before the first FROM");
            current?.Add(new Instruction(keyword, arguments));
        }
        return new Dockerfile(stages);
    }

    [GeneratedRegex(@"^([A-Za-z]+)\s+(.*)$")]
    private static partial Regex InstructionLine();

    [GeneratedRegex(@"^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromLine();
}
