namespace GoChat.Grains.Users;

/// <summary>
/// The account's live hub connections, counted per WebFront by its user grain: presence (online
/// while any live WebFront holds one) and the limit on connections per account
/// (GoChat:Limits:HubConnectionsPerUser) come from the same count. Key: the user id.
/// </summary>
public interface IUserConnections : IGrainWithIntegerKey
{
    /// <summary>
    /// Counts a new connection on <paramref name="webFront"/>, or refuses it (the count stays) when the
    /// account already holds as many as it may on the WebFronts cluster membership shows alive.
    /// </summary>
    Task<DomainError?> Connect(SiloAddress webFront);

    /// <summary>A connection on <paramref name="webFront"/> closed.</summary>
    Task Disconnect(SiloAddress webFront);

    /// <summary>
    /// How many connections of this account <paramref name="webFront"/> holds now (its periodic
    /// report, which rebuilds the count after the grain was lost with its silo). Idempotent.
    /// </summary>
    Task ReportConnections(SiloAddress webFront, int count);
}
