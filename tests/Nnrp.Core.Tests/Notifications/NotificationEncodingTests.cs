using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Core.Tests.Notifications;

public class NotificationEncodingTests
{
    private static Notification Example() => new(1, RecipientTag.Parse(TestVectors.Key0Tag),
        TestVectors.ExampleTimestamp, TestVectors.ExampleTtl, TestVectors.ExamplePayload, ContentHashTests.ExampleWork);

    [Fact]
    public void Protobuf_round_trip_keeps_every_field_and_the_hash()
    {
        Notification n = Example();
        Notification back = NotificationProtobuf.Decode(NotificationProtobuf.Encode(n));
        AssertSame(n, back);
    }

    [Fact]
    public void Json_has_the_public_contract_shape()
    {
        string json = NotificationJson.Serialize(Example());
        string expected =
            "{\"version\":1,\"recipient_tag\":\"" + TestVectors.Key0Tag + "\",\"timestamp\":1767225600,\"ttl\":7776000," +
            "\"payload\":\"" + Convert.ToBase64String(TestVectors.ExamplePayload) + "\",\"work\":\"000000000046d662\"}";
        Assert.Equal(expected, json);
    }

    [Fact]
    public void Json_round_trip_through_protobuf_and_back()
    {
        Notification n = Example();
        Notification viaJson = NotificationJson.Parse(NotificationJson.Serialize(n));
        Notification viaBoth = NotificationProtobuf.Decode(NotificationProtobuf.Encode(viaJson));
        AssertSame(n, viaBoth);
    }

    [Fact]
    public void Json_reader_accepts_upper_case_hex_whitespace_and_unknown_fields()
    {
        string json = $$"""
            { "future": {"nested": [1, 2, {"x": null}]},
              "work": "000000000046D662", "ttl": 7776000, "timestamp": 1767225600,
              "payload": "{{Convert.ToBase64String(TestVectors.ExamplePayload)}}",
              "recipient_tag": "{{TestVectors.Key0Tag.ToUpperInvariant()}}", "version": 1 }
            """;
        AssertSame(Example(), NotificationJson.Parse(json));
    }

    [Theory]
    [InlineData("version")]
    [InlineData("recipient_tag")]
    [InlineData("timestamp")]
    [InlineData("ttl")]
    [InlineData("payload")]
    [InlineData("work")]
    public void Json_missing_a_field_names_it(string field)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(NotificationJson.Serialize(Example()))!.AsObject();
        node.Remove(field);
        var e = Assert.Throws<NotificationRuleException>(() => NotificationJson.Parse(node.ToJsonString()));
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
        Assert.Equal(NotificationRule.Encoding, e.Rule);
    }

    [Theory]
    [InlineData("recipient_tag", "\"abcd\"", NotificationRule.RecipientTagLength)]
    [InlineData("recipient_tag", "\"zz87b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01\"", NotificationRule.RecipientTagLength)]
    [InlineData("recipient_tag", "42", NotificationRule.RecipientTagLength)]
    [InlineData("work", "\"46d662\"", NotificationRule.Encoding)]
    [InlineData("work", "4642402", NotificationRule.Encoding)]
    [InlineData("work", "\"000000000046d66g\"", NotificationRule.Encoding)]
    [InlineData("version", "-1", NotificationRule.Encoding)]
    [InlineData("version", "\"1\"", NotificationRule.Encoding)]
    [InlineData("timestamp", "1.5", NotificationRule.Encoding)]
    [InlineData("ttl", "4294967296", NotificationRule.TtlRange)]
    [InlineData("payload", "\"not base64!\"", NotificationRule.Encoding)]
    public void Json_field_of_the_wrong_form_is_refused(string field, string value, NotificationRule rule)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(NotificationJson.Serialize(Example()))!.AsObject();
        node[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
        var e = Assert.Throws<NotificationRuleException>(() => NotificationJson.Parse(node.ToJsonString()));
        Assert.Equal(rule, e.Rule);
    }

    [Fact]
    public void Json_payload_over_2048_bytes_is_refused_as_payload_size()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(NotificationJson.Serialize(Example()))!.AsObject();
        node["payload"] = Convert.ToBase64String(new byte[2049]);
        Assert.Equal(NotificationRule.PayloadSize, Assert.Throws<NotificationRuleException>(() => NotificationJson.Parse(node.ToJsonString())).Rule);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{")]
    [InlineData("{\"version\":1,\"version\":1}")]
    [InlineData("{} {}")]
    public void Malformed_json_is_refused_as_encoding(string json)
    {
        Assert.Equal(NotificationRule.Encoding, Assert.Throws<NotificationRuleException>(() => NotificationJson.Parse(json)).Rule);
    }

    [Fact]
    public void Oversized_json_is_refused_before_parsing()
    {
        string json = "{\"pad\":\"" + new string('a', NotificationLimits.MaxJsonSize) + "\"}";
        Assert.Equal(NotificationRule.PayloadSize, Assert.Throws<NotificationRuleException>(() => NotificationJson.Parse(json)).Rule);
    }

    [Fact]
    public void Protobuf_with_a_short_tag_names_the_tag_rule()
    {
        var message = NotificationProtobuf.ToProto(Example());
        message.RecipientTag = ByteString.CopyFrom(new byte[31]);
        var e = Assert.Throws<NotificationRuleException>(() => NotificationProtobuf.Decode(message.ToByteArray()));
        Assert.Equal(NotificationRule.RecipientTagLength, e.Rule);
    }

    [Fact]
    public void Protobuf_with_a_big_payload_names_the_payload_rule()
    {
        var message = NotificationProtobuf.ToProto(Example());
        message.Payload = ByteString.CopyFrom(new byte[2049]);
        Assert.Equal(NotificationRule.PayloadSize, Assert.Throws<NotificationRuleException>(() => NotificationProtobuf.Decode(message.ToByteArray())).Rule);
        message.Payload = ByteString.CopyFrom(new byte[5000]);
        Assert.Equal(NotificationRule.PayloadSize, Assert.Throws<NotificationRuleException>(() => NotificationProtobuf.Decode(message.ToByteArray())).Rule);
    }

    [Fact]
    public void Random_truncated_and_corrupted_protobuf_never_crashes()
    {
        var random = new Random(1);
        byte[] good = NotificationProtobuf.Encode(Example());
        for (int i = 0; i < 5000; i++)
        {
            byte[] input = (i % 3) switch
            {
                0 => RandomBytes(random, random.Next(0, 3000)),
                1 => good[..random.Next(0, good.Length)],
                _ => Corrupt(random, good),
            };
            try
            {
                Notification n = NotificationProtobuf.Decode(input);
                Assert.Equal(32, n.RecipientTag.ToArray().Length);
                Assert.True(n.Payload.Length <= NotificationLimits.MaxPayload);
            }
            catch (NotificationRuleException)
            {
                // refused with a named rule: fine
            }
        }
    }

    [Fact]
    public void Random_json_never_crashes()
    {
        var random = new Random(2);
        byte[] good = Encoding.UTF8.GetBytes(NotificationJson.Serialize(Example()));
        for (int i = 0; i < 5000; i++)
        {
            byte[] input = i % 2 == 0 ? good[..random.Next(0, good.Length)] : Corrupt(random, good);
            try
            {
                NotificationJson.Parse(input);
            }
            catch (NotificationRuleException)
            {
            }
        }
    }

    private static void AssertSame(Notification expected, Notification actual)
    {
        Assert.Equal(expected.Version, actual.Version);
        Assert.Equal(expected.RecipientTag, actual.RecipientTag);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.Ttl, actual.Ttl);
        Assert.Equal(expected.Payload.ToArray(), actual.Payload.ToArray());
        Assert.Equal(expected.Work, actual.Work);
        Assert.Equal(expected.Hash, actual.Hash);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Corrupt(Random random, byte[] good)
    {
        byte[] copy = (byte[])good.Clone();
        for (int k = 0; k < 1 + random.Next(4); k++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }
        return copy;
    }
}
