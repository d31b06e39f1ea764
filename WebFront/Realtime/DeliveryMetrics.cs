using System.Diagnostics.Metrics;

namespace GoChat.WebFront.Realtime;

/// <summary>
/// GoChat.Delivery: what this WebFront hands to its clients. Counter adds without tags, so the hot
/// path allocates nothing. Prometheus: rate(gochat_messages_delivered_total[1m]) is messages
/// delivered per second (one per route a message reached here: the sender's and the recipient's
/// user routes, or a group's route), gochat_hub_connections and gochat_routes_attached are gauges.
/// </summary>
internal sealed class DeliveryMetrics
{
    public const string MeterName = "GoChat.Delivery";

    readonly Counter<long> _delivered;
    readonly UpDownCounter<long> _connections;
    readonly UpDownCounter<long> _routes;

    public DeliveryMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _delivered = meter.CreateCounter<long>("gochat.messages.delivered", "{message}", "New messages handed to this node's hub connections, one per route they reached");
        _connections = meter.CreateUpDownCounter<long>("gochat.hub.connections", "{connection}", "Signed-in hub connections open on this node");
        _routes = meter.CreateUpDownCounter<long>("gochat.routes.attached", "{route}", "Delivery routes (users, groups) this node is attached to");
    }

    public void Delivered() => _delivered.Add(1);
    public void Connected() => _connections.Add(1);
    public void Disconnected() => _connections.Add(-1);
    public void Attached() => _routes.Add(1);
    public void Detached() => _routes.Add(-1);
}
