using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace GoChat.WebFront.Realtime;

/// <summary>Live delivery (GoChat:Delivery).</summary>
internal sealed class DeliveryOptions
{
    public const string Section = "GoChat:Delivery";

    /// <summary>How often this WebFront attaches its live routes again (route grains keep attachments in memory only).</summary>
    public TimeSpan ReattachPeriod { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// Re-attaching is also what keeps an idle route grain from being collected: a period not well
/// under the grain collection age lets route grains be collected between attachments, and every
/// such loss costs the route's connections a resync.
/// </summary>
internal sealed class DeliveryOptionsValidator(IOptions<GrainCollectionOptions> collection) : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions options)
    {
        var collectionAge = collection.Value.CollectionAge;
        return new Settings.Check(DeliveryOptions.Section)
            .Require(options.ReattachPeriod >= TimeSpan.FromSeconds(1), nameof(options.ReattachPeriod), $"must be at least 00:00:01 (it is {options.ReattachPeriod})")
            .Require(options.ReattachPeriod <= collectionAge / 2, nameof(options.ReattachPeriod),
                $"must be at most half the grain collection age ({collectionAge / 2}; it is {options.ReattachPeriod}), or route grains are collected between attachments")
            .Result;
    }
}
