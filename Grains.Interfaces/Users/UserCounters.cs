namespace GoChat.Grains.Users;

/// <summary>
/// A user's douyin counters: users they follow and users following them (live accounts only),
/// likes they gave, likes their videos received, and videos they published.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record UserCounters(long Following, long Followers, long FavoritesGiven, long FavoritedReceived, long Works)
{
    public static readonly UserCounters Zero = new(0, 0, 0, 0, 0);

    public UserCounters Plus(CounterChange change) => new(
        Following + change.Following, Followers + change.Followers, FavoritesGiven + change.FavoritesGiven,
        FavoritedReceived + change.FavoritedReceived, Works + change.Works);
}

/// <summary>What one committed write changed in a user's counters.</summary>
[GenerateSerializer, Immutable]
public sealed record CounterChange(
    long Following = 0, long Followers = 0, long FavoritesGiven = 0, long FavoritedReceived = 0, long Works = 0);

/// <summary>A live user's profile with their counters, as lists and the feed render them.</summary>
[GenerateSerializer, Immutable]
public sealed record UserCard(UserProfile Profile, UserCounters Counters);
