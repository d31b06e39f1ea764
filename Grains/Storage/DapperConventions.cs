using System.Runtime.CompilerServices;

namespace GoChat.Grains.Storage;

static class DapperConventions
{
    /// <summary>snake_case columns map onto PascalCase members and constructor parameters, for every store in this assembly.</summary>
#pragma warning disable CA2255 // deliberate: a process-wide Dapper setting that every store here relies on, set before any of them runs
    [ModuleInitializer]
    internal static void Apply() => Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
#pragma warning restore CA2255
}
