using GoChat.Grains.Chat;

namespace GoChat.Tests.Rules;

[Trait("Tier", "Fast")]
public sealed class ConversationIdTests
{
    [Fact]
    public void A_direct_conversation_has_one_id_whoever_starts_it()
    {
        Assert.Equal("d:3:17", ConversationIds.Direct(17, 3));
        Assert.Equal(ConversationIds.Direct(17, 3), ConversationIds.Direct(3, 17));
        Assert.True(ConversationIds.TryParse("d:3:17", out var direct, out var group));
        Assert.Equal((3L, 17L), direct);
        Assert.Null(group);
    }

    [Fact]
    public void A_group_conversation_is_named_after_its_group()
    {
        Assert.True(ConversationIds.TryParse(ConversationIds.Group(42), out var direct, out var group));
        Assert.Null(direct);
        Assert.Equal(42, group);
    }

    [Theory]
    [InlineData("d:17:3")]          // not in canonical order
    [InlineData("d:3:3")]           // with oneself
    [InlineData("d:03:17")]         // not canonical digits
    [InlineData("d:0:17")]
    [InlineData("d:-1:17")]
    [InlineData("g:0")]
    [InlineData("g:-4")]
    [InlineData("g:+4")]
    [InlineData("g: 4")]
    [InlineData("g:9223372036854775808")] // past long
    [InlineData("g:4:5")]
    [InlineData("x:4")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("d:1:22222222222222222222222222222222222222222222222")]
    public void Anything_but_a_canonical_id_is_refused(string? id)
    {
        Assert.False(ConversationIds.TryParse(id, out var direct, out var group));
        Assert.Null(direct);
        Assert.Null(group);
    }
}
