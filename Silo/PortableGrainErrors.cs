using GoChat.Grains;
using GoChat.Grains.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Serialization;

namespace GoChat.Silo;

/// <summary>
/// Makes every error a grain call ends with one that the calling silo can read. Orleans carries
/// only exception types it has a codec for, and Npgsql's have none: a grain on another silo that
/// met the database away would reach its caller as a serialization failure ("unexpected error")
/// instead of "try again". So a database that is away becomes <see cref="DatabaseUnavailableException"/>
/// (and empties this silo's pool, as the WebFront does for its own), any other error that cannot
/// travel becomes <see cref="GrainCallFailedException"/>, logged here with its details. Local calls
/// get the same, so callers see one set of errors wherever a grain runs.
/// </summary>
public sealed class PortableGrainErrors(NpgsqlDataSource db, Serializer serializer, ILogger<PortableGrainErrors> logger) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        Task call;
        try
        {
            call = context.Invoke();
        }
        catch (Exception e)
        {
            return Task.FromException(Portable(e, context));
        }
        // Most calls succeed: they pay for no second state machine.
        return call.IsCompletedSuccessfully ? Task.CompletedTask : Translated(call, context);
    }

    async Task Translated(Task call, IIncomingGrainCallContext context)
    {
        try
        {
            await call;
        }
        catch (Exception e)
        {
            var portable = Portable(e, context);
            if (ReferenceEquals(portable, e)) throw;
            throw portable;
        }
    }

    Exception Portable(Exception e, IIncomingGrainCallContext context)
    {
        if (e is DatabaseUnavailableException or GrainCallFailedException) return e;
        if (DatabaseAway.Noticed(e, db))
        {
            SiloLog.GrainCallDatabaseAway(logger, e, context.MethodName);
            return new DatabaseUnavailableException();
        }
        if (CanTravel(e)) return e;
        SiloLog.GrainCallFailed(logger, e, context.MethodName);
        return new GrainCallFailedException();
    }

    /// <summary>Whether Orleans can serialize it, inner exceptions included (a failing call is rare: trying costs little).</summary>
    bool CanTravel(Exception e)
    {
        try
        {
            serializer.SerializeToArray(e);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
