using Microsoft.Extensions.Logging;

namespace GoChat.Grains.Bots;

/// <summary>Bots' log events (ids 8000-8099). Never a message's text or an API key above Debug; never an API key at all.</summary>
internal static partial class BotLog
{
    [LoggerMessage(EventId = 8001, EventName = "BotRegistered", Level = LogLevel.Information, Message = "Bot {Bot} is user {UserId} ({Provider}, model {Model})")]
    public static partial void Registered(ILogger logger, string bot, long userId, string provider, string model);

    [LoggerMessage(EventId = 8002, EventName = "BotNameTaken", Level = LogLevel.Error, Message = "Bot {Bot} is not started: a person's account already has that username; rename the bot in GoChat:Bots")]
    public static partial void NameTaken(ILogger logger, string bot);

    [LoggerMessage(EventId = 8003, EventName = "BotsDisabled", Level = LogLevel.Information, Message = "Disabled {Count} bots no longer in configuration (their messages stay)")]
    public static partial void Disabled(ILogger logger, int count);

    [LoggerMessage(EventId = 8004, EventName = "BotModelUnavailable", Level = LogLevel.Error, Message = "Bot {Bot} cannot answer: {Reason}. GoChat goes on without it")]
    public static partial void ModelUnavailable(ILogger logger, string bot, string reason);

    [LoggerMessage(EventId = 8005, EventName = "BotRegistrationFailed", Level = LogLevel.Error, Message = "Registering bot {Bot} failed; GoChat goes on without it")]
    public static partial void RegistrationFailed(ILogger logger, Exception exception, string bot);

    [LoggerMessage(EventId = 8010, EventName = "BotReplyFailed", Level = LogLevel.Warning, Message = "Bot {Bot} could not finish reply {Seq} in {ConversationId}: {Failure}")]
    public static partial void ReplyFailed(ILogger logger, string bot, string conversationId, long seq, string failure);

    [LoggerMessage(EventId = 8011, EventName = "BotReplyError", Level = LogLevel.Warning, Message = "Bot {Bot} met an unexpected error in reply {Seq} in {ConversationId}")]
    public static partial void ReplyError(ILogger logger, Exception exception, string bot, string conversationId, long seq);

    [LoggerMessage(EventId = 8012, EventName = "BotReplyRetry", Level = LogLevel.Information, Message = "Bot {Bot} asks its provider again in {Delay} ({Failure})")]
    public static partial void Retrying(ILogger logger, string bot, TimeSpan delay, string failure);

    [LoggerMessage(EventId = 8013, EventName = "BotTriggerFailed", Level = LogLevel.Warning, Message = "Handing message {Seq} of {ConversationId} to its bots failed")]
    public static partial void TriggerFailed(ILogger logger, Exception exception, string conversationId, long seq);

    [LoggerMessage(EventId = 8014, EventName = "BotUsageNotRecorded", Level = LogLevel.Warning, Message = "Recording the tokens of bot {BotId} failed")]
    public static partial void UsageNotRecorded(ILogger logger, Exception exception, long botId);

    [LoggerMessage(EventId = 8015, EventName = "BotRepliesInterrupted", Level = LogLevel.Information, Message = "Marked {Count} replies of bot {BotId} in {ConversationId} interrupted (their silo stopped mid-reply)")]
    public static partial void Interrupted(ILogger logger, int count, long botId, string conversationId);

    [LoggerMessage(EventId = 8020, EventName = "BotModelLoaded", Level = LogLevel.Information, Message = "Bot {Bot} loaded its model in {Elapsed}")]
    public static partial void ModelLoaded(ILogger logger, string bot, TimeSpan elapsed);
}
