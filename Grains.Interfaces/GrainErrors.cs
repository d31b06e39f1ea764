namespace GoChat.Grains;

/// <summary>
/// A grain call met PostgreSQL away (a restart, a failover, a session ended by an administrator):
/// the caller may try again. Thrown in place of the Npgsql exception, which cannot travel between
/// silos; its details stay in the log of the silo where it happened.
/// </summary>
[GenerateSerializer, Alias("GoChat.DatabaseUnavailable")]
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException() : base("the database dropped or refused a connection") { }

    public DatabaseUnavailableException(string message) : base(message) { }

    public DatabaseUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>
/// A grain call failed with an error that cannot travel between silos. Its message is safe to
/// show; the original is in the log of the silo where it happened.
/// </summary>
[GenerateSerializer, Alias("GoChat.GrainCallFailed")]
public sealed class GrainCallFailedException : Exception
{
    public GrainCallFailedException() : base("the server could not complete this request") { }

    public GrainCallFailedException(string message) : base(message) { }

    public GrainCallFailedException(string message, Exception innerException) : base(message, innerException) { }
}
