using System.Globalization;

namespace GoChat.Grains.Chat;

public enum RouteKind : byte
{
    User = 1,
    Group = 2,
    Broadcast = 3,
}

/// <summary>
/// A delivery route: one per user (direct messages and the user's own events), one per group, and
/// the ginchat broadcast route. Formatted as the route grain's key ("user/{id}", "group/{id}",
/// "broadcast") and parsed back here only.
/// </summary>
[GenerateSerializer, Immutable]
public readonly record struct RouteKey(RouteKind Kind, long Id)
{
    public static RouteKey ForUser(long userId) => new(RouteKind.User, userId);

    public static RouteKey ForGroup(long groupId) => new(RouteKind.Group, groupId);

    public static RouteKey Broadcast => new(RouteKind.Broadcast, 0);

    public override string ToString() => Kind switch
    {
        RouteKind.User => string.Create(CultureInfo.InvariantCulture, $"user/{Id}"),
        RouteKind.Group => string.Create(CultureInfo.InvariantCulture, $"group/{Id}"),
        _ => "broadcast",
    };

    /// <summary>The key a route grain was activated with; false for anything <see cref="ToString"/> would not make.</summary>
    public static bool TryParse(string? text, out RouteKey key)
    {
        key = default;
        if (text == "broadcast")
        {
            key = Broadcast;
            return true;
        }
        var kind = text?.StartsWith("user/", StringComparison.Ordinal) == true ? RouteKind.User
            : text?.StartsWith("group/", StringComparison.Ordinal) == true ? RouteKind.Group
            : (RouteKind?)null;
        if (kind is null) return false;
        var digits = text.AsSpan(kind == RouteKind.User ? 5 : 6);
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0) return false;
        key = new RouteKey(kind.Value, id);
        return key.ToString() == text;
    }
}
