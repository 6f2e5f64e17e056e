using System.Text.Json;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;
using Nnrp.Core.Work;

namespace Nnrp.Client.Tests.CrossLanguage;

/// <summary>
/// The TypeScript wallet SDK (src/nnrp-client) and the C# reference agree on every byte a
/// wallet makes: keys, tags, URIs and NanoNyms from one seed; a notification sealed by either
/// opens in the other; work found by TypeScript is valid for C#.
/// </summary>
public sealed class TypeScriptCrossTests
{
    private const string R = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private const string Tx = "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5";

    [Theory]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 0u)]
    [InlineData("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 7u)]
    [InlineData("c0ffee00c0ffee00c0ffee00c0ffee00", 4294967295u)]
    public async Task The_same_seed_gives_the_same_keys_tag_uri_and_nanonym(string seed, uint index)
    {
        byte[] spend = Enumerable.Repeat((byte)0x11, 32).ToArray();
        byte[] view = Enumerable.Repeat((byte)0x22, 32).ToArray();
        string[] relays = ["/dns4/relay.example.org/tcp/443/tls/ws", "/ip4/203.0.113.7/tcp/4001/x&y"];
        JsonElement ts = await TypeScriptSdk.RunAsync("keys", new { seed, index, spend = Hex.Encode(spend), view = Hex.Encode(view), relays });

        NotificationKeyPair key = NotificationKeys.Derive(Convert.FromHexString(seed), index);
        var uri = new NotificationUri(key.PublicKey, relays);
        Assert.Equal(Hex.Encode(key.PrivateKey), ts.GetProperty("private_key").GetString());
        Assert.Equal(Hex.Encode(key.PublicKey), ts.GetProperty("public_key").GetString());
        Assert.Equal(key.Tag.ToString(), ts.GetProperty("tag").GetString());
        Assert.Equal(uri.ToString(), ts.GetProperty("uri").GetString());
        Assert.Equal(new NanoNymAddress(spend, view, uri.ToString()).Encode(), ts.GetProperty("nnym").GetString());
    }

    [Fact]
    public async Task A_notification_sealed_by_TypeScript_opens_in_CSharp()
    {
        NotificationKeyPair key = NotificationKeys.Derive(Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), 3);
        JsonElement ts = await TypeScriptSdk.RunAsync("seal", new
        {
            public_key = Hex.Encode(key.PublicKey), R, tx_hash = Tx, amount_raw = "1000000000000000000000000000000", memo = "from TypeScript ✓",
            timestamp = 1767225600, ttl = 86400,
        });

        Notification n = NotificationJson.Parse(ts.GetProperty("notification").GetString()!);
        Assert.Equal(n.Hash.ToString(), ts.GetProperty("hash").GetString());
        Assert.Equal(key.Tag, n.RecipientTag);
        Assert.True(n.ValidateForm().IsValid);
        Assert.Equal(new PaymentEvent(R, Tx, "1000000000000000000000000000000", "from TypeScript ✓"), NotificationSealer.OpenPaymentEvent(key.PrivateKey, n));
        NotificationKeyPair other = NotificationKeys.Derive(Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), 4);
        Assert.Throws<SealingException>(() => NotificationSealer.OpenPaymentEvent(other.PrivateKey, n));
    }

    [Fact]
    public async Task A_notification_sealed_by_CSharp_opens_in_TypeScript()
    {
        NotificationKeyPair key = NotificationKeys.Derive(Convert.FromHexString("404142434445464748494a4b4c4d4e4f"), 0);
        Notification n = NotificationSealer.SealPaymentEvent(key.PublicKey, new PaymentEvent(R, Tx, null, "from C# — ünïcode"), 1767225600, 3600);

        JsonElement ts = await TypeScriptSdk.RunAsync("open", new { private_key = Hex.Encode(key.PrivateKey), notification = NotificationJson.Serialize(n) });

        Assert.Equal(n.Hash.ToString(), ts.GetProperty("hash").GetString());
        JsonElement ev = ts.GetProperty("event");
        Assert.Equal(2, ev.GetProperty("version").GetInt32());
        Assert.Equal("nanonym", ev.GetProperty("protocol").GetString());
        Assert.Equal(R, ev.GetProperty("R").GetString());
        Assert.Equal(Tx, ev.GetProperty("tx_hash").GetString());
        Assert.Equal(JsonValueKind.Null, ev.GetProperty("amount_raw").ValueKind);
        Assert.Equal("from C# — ünïcode", ev.GetProperty("memo").GetString());
    }

    [Fact]
    public async Task Work_found_by_TypeScript_worker_threads_is_valid_for_CSharp()
    {
        NotificationKeyPair key = NotificationKeys.Derive(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"), 0);
        Notification n = NotificationSealer.SealPaymentEvent(key.PublicKey, new PaymentEvent(R, Tx), 1767225600);
        const ulong threshold = 0xfffc000000000000UL; // 2^14 hashes on average: quick on a busy machine

        JsonElement ts = await TypeScriptSdk.RunAsync("work", new { root = n.Hash.ToString(), threshold = ProofOfWork.FormatWork(threshold), workers = 2 });

        ulong work = ProofOfWork.ParseWork(ts.GetProperty("work").GetString());
        byte[] root = new byte[32];
        n.Hash.CopyTo(root);
        Assert.True(ProofOfWork.IsValid(root, work, threshold));
        Assert.Equal(ProofOfWork.FormatWork(ProofOfWork.Value(root, work)), ts.GetProperty("value").GetString());
        Assert.True(n.WithWork(work).MeetsThreshold(threshold));
    }
}
