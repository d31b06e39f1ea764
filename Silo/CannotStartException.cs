namespace GoChat.Silo;

/// <summary>
/// Start-up met something on this machine that GoChat cannot fix by itself (a missing program, a
/// directory it may not use); the message says what and how to fix it, and the programs print it
/// without a stack trace.
/// </summary>
public sealed class CannotStartException(string message) : InvalidOperationException(message);
