using Orleans.Runtime;

namespace GoChat.Grains.Users;

[GenerateSerializer]
internal sealed class UsernameState
{
    [Id(0)] public long OwnerId { get; set; }
}

/// <summary>
/// Guards one user name. Key: the lower-cased name. State: the id of the account that claimed it.
/// Not reentrant, so racing registrations of one name are decided one at a time here; the unique
/// index on lower(username) backs this up across activations and silos, and the users table is the
/// truth whenever the two disagree.
/// </summary>
internal sealed class UsernameGrain(
    [PersistentState("username", "Default")] IPersistentState<UsernameState> claim,
    UserDirectory directory, IGrainFactory grains) : Grain, IUsernameGrain
{
    static readonly DomainError Taken = DomainError.Conflict("username is already taken");

    string Name => this.GetPrimaryKeyString();

    public Task<long?> GetOwner() => directory.FindIdByName(Name);

    public async Task<Result<UserProfile>> Register(NewAccount account)
    {
        if (AccountRules.CheckUsername(account.Username) is { } nameError) return nameError;
        if (!string.Equals(account.Username.ToLowerInvariant(), Name, StringComparison.Ordinal))
            return DomainError.Invalid("username does not match the name being registered");
        if (AccountRules.CheckPassword(account.Password) is { } passwordError) return passwordError;
        if (AccountRules.CheckDisplayName(account.DisplayName) is { } displayError) return displayError;

        if (claim.State.OwnerId != 0 || await directory.FindIdByName(Name) is not null) return Taken;

        var displayName = string.IsNullOrWhiteSpace(account.DisplayName) ? account.Username : account.DisplayName.Trim();
        var row = await directory.Insert(account.Username, displayName, PasswordHasher.Hash(account.Password));
        if (row is null) return Taken;

        claim.State.OwnerId = row.Id;
        await claim.WriteStateAsync();
        var madeAdmin = await grains.GetGrain<IAdministratorsGrain>(0).AccountRegistered(row.Id);
        return Result<UserProfile>.Success(row.ToProfile() with { IsAdmin = madeAdmin });
    }

    public async Task<DomainError?> Transfer(long userId)
    {
        if (AccountRules.CheckUsername(Name) is { } nameError) return nameError;
        var holder = await directory.FindIdByName(Name);
        if (holder is not null && holder != userId) return Taken;
        claim.State.OwnerId = userId;
        await claim.WriteStateAsync();
        return null;
    }

    public async Task Release(long userId)
    {
        if (claim.State.OwnerId != userId) return;
        claim.State.OwnerId = 0;
        await claim.WriteStateAsync();
    }
}
