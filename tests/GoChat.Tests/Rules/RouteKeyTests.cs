using GoChat.Grains.Chat;

namespace GoChat.Tests.Rules;

[Trait("Tier", "Fast")]
public sealed class RouteKeyTests
{
    [Fact]
    public void Each_route_key_reads_back_as_itself()
    {
        foreach (var key in new[] { RouteKey.ForUser(7), RouteKey.ForGroup(9_000_000_000), RouteKey.Broadcast })
        {
            Assert.True(RouteKey.TryParse(key.ToString(), out var parsed));
            Assert.Equal(key, parsed);
        }
        Assert.Equal("user/7", RouteKey.ForUser(7).ToString());
        Assert.Equal("group/12", RouteKey.ForGroup(12).ToString());
    }

    [Theory]
    [InlineData("user/0")]
    [InlineData("user/-1")]
    [InlineData("user/+1")]
    [InlineData("user/01")]
    [InlineData("user/ 1")]
    [InlineData("group/")]
    [InlineData("group/9223372036854775808")]
    [InlineData("users/1")]
    [InlineData("Broadcast")]
    [InlineData("")]
    [InlineData(null)]
    public void Keys_no_route_would_make_are_refused(string? text) => Assert.False(RouteKey.TryParse(text, out _));
}
