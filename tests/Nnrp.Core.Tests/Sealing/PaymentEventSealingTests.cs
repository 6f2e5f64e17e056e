using System.Text;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;

namespace Nnrp.Core.Tests.Sealing;

public class PaymentEventSealingTests
{
    // 64 lowercase hex digits each, shaped like the RFC 0002 example.
    private const string R64 = "ab3f1e7c9d" + "00000000000000000000000000000000000000000000000000" + "fa08";
    private const string Tx64 = "9c21de5b3a" + "00000000000000000000000000000000000000000000000000" + "17f0";

    [Fact]
    public void Sealed_event_opens_with_the_seed_derived_key()
    {
        NotificationKeyPair keys = NotificationKeys.Derive(TestVectors.Seed, 0);
        var ev = new PaymentEvent(R64, Tx64, "1000000000000000000000000000000", "thanks");
        Notification n = NotificationSealer.SealPaymentEvent(keys.PublicKey, ev, TestVectors.ExampleTimestamp);
        Assert.Equal(keys.Tag, n.RecipientTag);
        Assert.True(n.ValidateForm().IsValid);
        Assert.Equal(ev, NotificationSealer.OpenPaymentEvent(keys.PrivateKey, n));
        Assert.Equal(32 + ev.ToJson().Length + 16, n.Payload.Length);
    }

    [Fact]
    public void Re_addressing_back_dating_or_extending_breaks_the_seal()
    {
        NotificationKeyPair keys = NotificationKeys.Derive(TestVectors.Seed, 0);
        Notification n = NotificationSealer.SealPaymentEvent(keys.PublicKey, new PaymentEvent(R64, Tx64), 1000, 3600);
        var moved = new Notification(1, RecipientTag.Parse(TestVectors.Key7Tag), n.Timestamp, n.Ttl, n.Payload.Span, 0);
        var older = new Notification(1, n.RecipientTag, n.Timestamp - 1, n.Ttl, n.Payload.Span, 0);
        var longer = new Notification(1, n.RecipientTag, n.Timestamp, n.Ttl + 1, n.Payload.Span, 0);
        Assert.Throws<SealingException>(() => NotificationSealer.Open(keys.PrivateKey, moved));
        Assert.Throws<SealingException>(() => NotificationSealer.Open(keys.PrivateKey, older));
        Assert.Throws<SealingException>(() => NotificationSealer.Open(keys.PrivateKey, longer));
        Assert.Throws<SealingException>(() => NotificationSealer.Open(NotificationKeys.Derive(TestVectors.Seed, 1).PrivateKey, n));
        Assert.Throws<SealingException>(() => NotificationSealer.Open(keys.PrivateKey, new Notification(1, n.RecipientTag, 1000, 3600, new byte[47], 0)));
    }

    [Fact]
    public void Oversized_plaintext_is_refused_before_sealing()
    {
        NotificationKeyPair keys = NotificationKeys.Derive(TestVectors.Seed, 0);
        Assert.Equal(2000, NotificationSealer.MaxPlaintext);
        Assert.Equal(2048, NotificationSealer.Seal(keys.PublicKey, keys.Tag, 1, 60, new byte[2000]).Length);
        var e = Assert.Throws<NotificationRuleException>(() => NotificationSealer.Seal(keys.PublicKey, keys.Tag, 1, 60, new byte[2001]));
        Assert.Equal(NotificationRule.PayloadSize, e.Rule);
    }

    [Fact]
    public void Event_json_follows_rfc_0002()
    {
        var ev = new PaymentEvent(R64, Tx64, "0");
        Assert.Equal($"{{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{R64}\",\"tx_hash\":\"{Tx64}\",\"amount_raw\":\"0\"}}", Encoding.UTF8.GetString(ev.ToJson()));
        Assert.Equal(ev, PaymentEvent.Parse(ev.ToJson()));
    }

    [Fact]
    public void Unknown_fields_are_ignored_and_optional_fields_may_be_absent()
    {
        string json = $"{{\"x\":{{\"y\":[1]}},\"tx_hash\":\"{Tx64}\",\"R\":\"{R64}\",\"protocol\":\"nanonym\",\"version\":2,\"r\":\"secret\"}}";
        PaymentEvent ev = PaymentEvent.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Null(ev.AmountRaw);
        Assert.Null(ev.Memo);
    }

    [Theory]
    [InlineData("{\"protocol\":\"nanonym\",\"R\":\"{R}\",\"tx_hash\":\"{T}\"}")]                     // no version
    [InlineData("{\"version\":2,\"R\":\"{R}\",\"tx_hash\":\"{T}\"}")]                                // no protocol
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"tx_hash\":\"{T}\"}")]                      // no R
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{R}\"}")]                           // no tx_hash
    [InlineData("{\"version\":1,\"protocol\":\"nanonym\",\"R\":\"{R}\",\"tx_hash\":\"{T}\"}")]       // version
    [InlineData("{\"version\":2,\"protocol\":\"nostr\",\"R\":\"{R}\",\"tx_hash\":\"{T}\"}")]         // protocol
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{RU}\",\"tx_hash\":\"{T}\"}")]      // upper-case hex
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{R}\",\"tx_hash\":\"abc\"}")]       // short hex
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{R}\",\"tx_hash\":\"{T}\",\"amount_raw\":\"0100\"}")]
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{R}\",\"tx_hash\":\"{T}\",\"amount_raw\":\"\"}")]
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{R}\",\"tx_hash\":\"{T}\",\"amount_raw\":\"-1\"}")]
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{R}\",\"tx_hash\":\"{T}\",\"amount_raw\":1}")]
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":\"{R}\",\"tx_hash\":\"{T}\",\"amount_raw\":\"999999999999999999999999999999999999999999\"}")]
    [InlineData("{\"version\":2,\"protocol\":\"nanonym\",\"R\":5,\"tx_hash\":\"{T}\"}")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("")]
    public void Events_breaking_a_rule_are_refused(string template)
    {
        string json = template.Replace("{RU}", R64.ToUpperInvariant(), StringComparison.Ordinal)
            .Replace("{R}", R64, StringComparison.Ordinal).Replace("{T}", Tx64, StringComparison.Ordinal);
        Assert.Throws<NnrpFormatException>(() => PaymentEvent.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Random_event_bytes_never_crash()
    {
        var random = new Random(11);
        byte[] good = new PaymentEvent(R64, Tx64, "5", "memo").ToJson();
        for (int i = 0; i < 3000; i++)
        {
            byte[] input = (byte[])good.Clone();
            input[random.Next(input.Length)] = (byte)random.Next(256);
            input = input[..random.Next(input.Length + 1)];
            try
            {
                PaymentEvent.Parse(input);
            }
            catch (NnrpFormatException)
            {
            }
        }
    }
}
