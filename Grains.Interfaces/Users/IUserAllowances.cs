using Orleans.Concurrency;

namespace GoChat.Grains.Users;

/// <summary>
/// What one account may do in a while (GoChat:Limits), counted in one place for the whole cluster:
/// its user grain. Key: the user id. Every method answers from memory at once and interleaves with
/// the account's other work, so a limit check never waits behind a profile change.
/// </summary>
public interface IUserAllowances : IGrainWithIntegerKey
{
    /// <summary>
    /// Takes up to <paramref name="wanted"/> message permits (a silo spends them itself, see
    /// MessagePermits). None granted: the answer says when the next one will be there.
    /// </summary>
    [AlwaysInterleave]
    Task<MessagePermitGrant> TakeMessagePermits(int wanted);

    /// <summary>
    /// Counts one upload and reserves up to <paramref name="maxBytes"/> of today's upload bytes for
    /// it; returns the bytes reserved (the upload may be at most that), or why none may start now.
    /// Settle it with <see cref="FinishUpload"/>.
    /// </summary>
    [AlwaysInterleave]
    Task<Result<long>> StartUpload(long maxBytes);

    /// <summary>Gives back what an upload reserved and did not store.</summary>
    [AlwaysInterleave]
    Task FinishUpload(long reservedBytes, long storedBytes);

    /// <summary>Counts one new group, or says why the account may create none now.</summary>
    [AlwaysInterleave]
    Task<DomainError?> TakeGroupCreation();
}

/// <summary>Message permits granted; with none, how long until the next (the refusal a sender is told).</summary>
[GenerateSerializer, Immutable]
public sealed record MessagePermitGrant(int Granted, DomainError? Refusal);
