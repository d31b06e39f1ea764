using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GoChat.Silo;

/// <summary>
/// How fast the cluster declares a silo dead (GoChat:Membership), applied to Orleans'
/// <see cref="ClusterMembershipOptions"/>. Each silo probes the others every <see cref="ProbeTimeout"/>
/// (Orleans adapts the period and the timeout to the round trips it sees, between half and four times
/// this value: on a LAN, half); after <see cref="NumMissedProbesLimit"/> missed probes in a row, the
/// last one sent through another silo, it votes the silo dead, and the other silo's confirmation counts
/// as a second vote. A killed silo (its connections closed) is thus declared dead in about 1.5 s by
/// default (1.1-3.2 s measured), instead of Orleans' 10-15 s, and its grains are activated again elsewhere on their next call.
/// What keeps a live silo from being evicted on a loaded machine: Orleans casts no vote against a silo
/// it received any message from (a late probe answer included) within the last
/// <c>4 × ProbeTimeout × NumMissedProbesLimit</c> (12 s), so only a silo silent that long can be voted
/// dead while its connections stay open (a machine that lost power, a network partition); it also
/// lengthens its probe timeouts while its own host is degraded (thread pool delays, GC), and ignores an
/// indirect probe's failure when the silo relaying it is degraded. docs/operations.md gives the measured
/// figures.
/// </summary>
internal sealed class MembershipOptions
{
    public const string Section = "GoChat:Membership";

    /// <summary>
    /// The time allowed for one probe, and the period between probes (Orleans: 5 s). 1 s on loopback or
    /// a LAN, where a round trip takes under a millisecond: three missed in a row mean the silo is gone,
    /// not slow, and a silo under load keeps talking to the others, which counts as alive.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Missed probes in a row before a silo votes another dead (Orleans: 3).</summary>
    public int NumMissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// Votes that declare a silo dead (Orleans: 2). Always reachable: Orleans asks for at most half the
    /// active silos, rounded up (two of three, one of two), and a probe confirmed through another silo
    /// brings two votes at once.
    /// </summary>
    public int NumVotesForDeathDeclaration { get; set; } = 2;

    /// <summary>
    /// How long a vote counts (Orleans: 2 minutes). Votes for a silo that is really gone arrive within
    /// seconds of each other; a shorter life keeps two unrelated hiccups minutes apart from adding up to an
    /// eviction.
    /// </summary>
    public TimeSpan DeathVoteExpirationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each silo reads the membership table (Orleans: 60 s). Deaths and joins are gossiped
    /// the moment they are written; the read is the backstop for a silo that missed the gossip (it was
    /// paused, or the silo that declared the death died itself), so it bounds how long such a silo keeps
    /// calling a dead one. One small query per silo.
    /// </summary>
    public TimeSpan TableRefreshTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest Orleans may lengthen a probe's timeout: 4 × <see cref="ProbeTimeout"/>, as Orleans computes it.</summary>
    public TimeSpan MaxProbeTimeout => ProbeTimeout * 4;

    public void ApplyTo(ClusterMembershipOptions orleans)
    {
        orleans.ProbeTimeout = ProbeTimeout;
        orleans.NumMissedProbesLimit = NumMissedProbesLimit;
        orleans.NumVotesForDeathDeclaration = NumVotesForDeathDeclaration;
        orleans.DeathVoteExpirationTimeout = DeathVoteExpirationTimeout;
        orleans.TableRefreshTimeout = TableRefreshTimeout;
    }

    /// <summary>Read and checked before the host is built, like the silo's endpoint.</summary>
    internal static MembershipOptions Read(Microsoft.Extensions.Configuration.IConfiguration config) =>
        Settings.Read(config, Section, new MembershipOptionsValidator());
}

/// <summary>Ranges, and the rules between settings that would otherwise fail silently.</summary>
internal sealed class MembershipOptionsValidator : IValidateOptions<MembershipOptions>
{
    /// <summary>Orleans probes at most this many silos from each silo; more votes could never be cast.</summary>
    const int ProbedSilos = 10;

    public ValidateOptionsResult Validate(string? name, MembershipOptions options)
    {
        var detection = options.MaxProbeTimeout * options.NumMissedProbesLimit;
        return new Settings.Check(MembershipOptions.Section)
            .InRange(options.ProbeTimeout, TimeSpan.FromMilliseconds(200), TimeSpan.FromMinutes(1), nameof(options.ProbeTimeout))
            .InRange(options.NumMissedProbesLimit, 2, 10, nameof(options.NumMissedProbesLimit))
            .InRange(options.NumVotesForDeathDeclaration, 1, ProbedSilos, nameof(options.NumVotesForDeathDeclaration))
            .InRange(options.TableRefreshTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), nameof(options.TableRefreshTimeout))
            .Require(options.TableRefreshTimeout >= options.ProbeTimeout, nameof(options.TableRefreshTimeout),
                $"must be at least GoChat:Membership:ProbeTimeout ({options.ProbeTimeout}; it is {options.TableRefreshTimeout}): reading the table more often " +
                "than silos probe each other adds database reads without noticing anything sooner")
            .Require(options.DeathVoteExpirationTimeout > detection, nameof(options.DeathVoteExpirationTimeout),
                $"must be longer than 4 × ProbeTimeout × NumMissedProbesLimit ({detection}; it is {options.DeathVoteExpirationTimeout}), " +
                "the longest a second silo may take to vote, or the first vote expires before the second arrives and a dead silo is never declared dead")
            .Require(options.DeathVoteExpirationTimeout <= TimeSpan.FromHours(1), nameof(options.DeathVoteExpirationTimeout),
                $"must be at most 01:00:00 (it is {options.DeathVoteExpirationTimeout})")
            .Result;
    }
}
