using System.Diagnostics.Metrics;

namespace GoChat.Grains.Chat;

/// <summary>
/// GoChat.Chat: messages stored. One counter add per message, no tags: nothing is allocated on
/// the send path. A rate over it is messages sent per second (Prometheus: rate(gochat_messages_sent_total[1m])).
/// </summary>
public sealed class ChatMetrics
{
    public const string MeterName = "GoChat.Chat";

    readonly Counter<long> _sent;

    public ChatMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _sent = meter.CreateCounter<long>("gochat.messages.sent", "{message}", "Messages stored (a retried send that was already stored is not counted again)");
    }

    public void Sent() => _sent.Add(1);
}
