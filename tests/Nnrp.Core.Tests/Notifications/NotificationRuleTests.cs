using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Core.Tests.Notifications;

public class NotificationRuleTests
{
    private const long Now = 1_767_225_600;
    private static readonly RecipientTag Tag = RecipientTag.Parse(TestVectors.Key0Tag);

    private static Notification Make(uint version = 1, ulong timestamp = Now, uint ttl = 3600, int payload = 100) =>
        new(version, Tag, timestamp, ttl, new byte[payload], 0);

    [Fact]
    public void A_well_formed_notification_passes()
    {
        Assert.True(Make().Validate(Now).IsValid);
        Assert.True(Make(ttl: 60).Validate(Now).IsValid);
        Assert.True(Make(ttl: 7_776_000, payload: 2048).Validate(Now).IsValid);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(2u)]
    [InlineData(257u)]
    public void Version_other_than_1_is_named(uint version)
    {
        NotificationValidation v = Make(version: version).Validate(Now);
        Assert.Equal(NotificationRule.Version, v.Rule);
        Assert.Contains("version", v.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(59u)]
    [InlineData(7_776_001u)]
    [InlineData(uint.MaxValue)]
    public void Ttl_outside_one_minute_to_90_days_is_named(uint ttl)
    {
        Assert.Equal(NotificationRule.TtlRange, Make(ttl: ttl).Validate(Now).Rule);
    }

    [Fact]
    public void Payload_over_2048_bytes_is_named()
    {
        Assert.Equal(NotificationRule.PayloadSize, Make(payload: 2049).Validate(Now).Rule);
    }

    [Fact]
    public void Timestamp_more_than_600_s_ahead_is_future()
    {
        Assert.True(Make(timestamp: Now + 600).Validate(Now).IsValid);
        NotificationValidation v = Make(timestamp: Now + 601).Validate(Now);
        Assert.Equal(NotificationRule.TimestampInFuture, v.Rule);
        Assert.Equal(NotificationRule.TimestampInFuture, Make(timestamp: ulong.MaxValue).Validate(Now).Rule);
    }

    [Fact]
    public void Timestamp_plus_ttl_at_or_before_now_is_expired()
    {
        Assert.True(Make(timestamp: Now - 3599, ttl: 3600).Validate(Now).IsValid);
        NotificationValidation v = Make(timestamp: Now - 3600, ttl: 3600).Validate(Now);
        Assert.Equal(NotificationRule.Expired, v.Rule);
    }

    [Fact]
    public void Insufficient_work_is_named_with_the_values()
    {
        Notification n = Make();
        NotificationValidation v = n.Validate(Now, ulong.MaxValue);
        Assert.Equal(NotificationRule.InsufficientWork, v.Rule);
        Assert.True(n.Validate(Now, 0).IsValid);
    }

    [Fact]
    public void ThrowIfInvalid_throws_a_typed_exception_carrying_the_rule()
    {
        var e = Assert.Throws<NotificationRuleException>(() => Make(ttl: 1).Validate(Now).ThrowIfInvalid());
        Assert.Equal(NotificationRule.TtlRange, e.Rule);
        Assert.IsAssignableFrom<NnrpException>(e);
    }

    [Fact]
    public void Form_rules_come_before_clock_rules()
    {
        Assert.Equal(NotificationRule.Version, Make(version: 9, timestamp: 0).Validate(Now).Rule);
    }
}
