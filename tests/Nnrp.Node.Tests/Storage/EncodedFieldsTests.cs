using Google.Protobuf;
using Nnrp.Core;
using Nnrp.Core.Notifications;
using Nnrp.Node.Storage;
using static Nnrp.Node.Tests.Testing.Notifications;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Storage;

public sealed class EncodedFieldsTests
{
    [Theory]
    [InlineData(0L, 60u, 0)]
    [InlineData(1_767_225_600L, NotificationLimits.MaxTtl, NotificationLimits.MaxPayload)]
    [InlineData(1L << 40, 0u, 300)]
    public void Reads_what_the_decoded_notification_says(long timestamp, uint ttl, int payloadSize)
    {
        Notification n = Make(timestamp: timestamp, ttl: ttl, payloadSize: payloadSize, work: ulong.MaxValue);
        Assert.Equal(new StoredFields(n.ExpiresAt, payloadSize), EncodedFields.Read(NotificationProtobuf.Encode(n)));
    }

    [Fact]
    public void Saturates_like_the_notification()
    {
        var message = new Nnrp.Core.Protocol.Notification { Version = 1, Timestamp = ulong.MaxValue - 5, Ttl = 60 };
        Assert.Equal(ulong.MaxValue, EncodedFields.Read(message.ToByteArray()).ExpiresAt);
    }

    [Fact]
    public void Takes_fields_in_any_order_the_last_of_a_repeated_one_and_skips_unknown_ones()
    {
        // ttl 7 (field 4), unknown fixed32 field 9, timestamp 1 then 1000 (field 3), payload of 3 (field 5),
        // unknown bytes field 12, timestamp again 300, payload again, of 1.
        byte[] bytes = [0x20, 0x07, 0x4d, 1, 2, 3, 4, 0x18, 0x01, 0x18, 0xe8, 0x07, 0x2a, 0x03, 9, 9, 9, 0x62, 0x02, 0xff, 0xff, 0x18, 0xac, 0x02, 0x2a, 0x01, 7];
        Assert.Equal(new StoredFields(307, 1), EncodedFields.Read(bytes));
        Assert.Equal(new StoredFields(0, 0), EncodedFields.Read([]));
    }

    [Theory]
    [InlineData(new byte[] { 0x18 })]                   // varint missing
    [InlineData(new byte[] { 0x18, 0x80 })]             // varint cut off
    [InlineData(new byte[] { 0x2a, 0x05, 1, 2 })]       // bytes field longer than the rest
    [InlineData(new byte[] { 0x31, 1, 2, 3 })]          // fixed64 cut off
    [InlineData(new byte[] { 0x1b })]                   // group wire type
    public void Malformed_bytes_are_a_format_error(byte[] bytes)
    {
        Assert.Throws<NnrpFormatException>(() => EncodedFields.Read(bytes));
    }
}
