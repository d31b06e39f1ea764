namespace GoChat.WebFront.Bots;

/// <summary>A bot's reply <c>Seq</c> as it streams: <c>Text</c> is everything so far.</summary>
public sealed record MessageStreamingDto(string ConversationId, long Seq, long SenderId, string Text);

/// <summary>A bot people can talk to.</summary>
public sealed record BotDto(long UserId, string Username, string DisplayName, string Provider, string Model, bool Available);

/// <summary>One bot's tokens on one UTC day.</summary>
public sealed record BotUsageDto(long BotId, string Username, string DisplayName, string Day, long PromptTokens, long CompletionTokens, long TotalTokens, int Replies);
