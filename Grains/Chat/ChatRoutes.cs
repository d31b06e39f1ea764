using Orleans.Runtime;

namespace GoChat.Grains.Chat;

/// <summary>The delivery streams: one per user (direct messages, own events) and one per group.</summary>
public static class ChatStreams
{
    public const string Provider = "chat";

    public static StreamId ForUser(long userId) => StreamId.Create("user", userId);

    public static StreamId ForGroup(long groupId) => StreamId.Create("group", groupId);
}
