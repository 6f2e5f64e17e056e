using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.GossipSub;

/// <summary>pubsub/README.md "Message Signing" and v1.1 "Signature Policy Options" (StrictSign).</summary>
public class SignaturePolicyTests
{
    private static GossipRouter NewSigningRouter(KeyPair key)
    {
        var options = new GossipSubOptions { SignaturePolicy = SignaturePolicy.StrictSign };
        return new GossipRouter(options, TimeProvider.System, new Random(1), NullLogger.Instance, new MessageAuthenticator(key, TimeProvider.System));
    }

    [Fact]
    public void Signed_message_verifies_and_tampering_breaks_it()
    {
        using var key = KeyPair.Generate();
        var auth = new MessageAuthenticator(key, TimeProvider.System);
        var message = new Message { Topic = "t", Data = ByteString.CopyFromUtf8("hi") };
        auth.Sign(message);
        Assert.Equal(key.PeerId.Bytes.ToArray(), message.From.ToByteArray());
        Assert.Equal(8, message.Seqno.Length);
        Assert.False(message.HasKey); // Ed25519 peer ids inline the key
        Assert.True(auth.Verify(message));

        var tampered = message.Clone();
        tampered.Data = ByteString.CopyFromUtf8("ho");
        Assert.False(auth.Verify(tampered));
        using var other = KeyPair.Generate();
        var forged = message.Clone();
        forged.From = ByteString.CopyFrom(other.PeerId.Bytes.Span);
        Assert.False(auth.Verify(forged));
    }

    [Fact]
    public void Seqnos_of_one_author_are_unique()
    {
        using var key = KeyPair.Generate();
        var auth = new MessageAuthenticator(key, TimeProvider.System);
        var seqnos = Enumerable.Range(0, 100).Select(_ =>
        {
            var m = new Message { Topic = "t" };
            auth.Sign(m);
            return m.Seqno;
        }).ToHashSet();
        Assert.Equal(100, seqnos.Count);
    }

    [Fact]
    public void Strict_sign_router_accepts_signed_and_rejects_unsigned_messages()
    {
        using var author = KeyPair.Generate();
        using var local = KeyPair.Generate();
        GossipRouter router = NewSigningRouter(local);
        router.Subscribe("t");
        PeerId peer = author.PeerId;
        router.AddPeer(peer, GossipProtocol.Meshsub11, outbound: false, null);
        var signed = new Message { Topic = "t", Data = ByteString.CopyFrom(1, 2) };
        new MessageAuthenticator(author, TimeProvider.System).Sign(signed);
        var unsigned = new Message { Topic = "t", Data = ByteString.CopyFrom(3) };
        var rpc = new RPC { Publish = { signed, unsigned } };
        List<InboundMessage> inbound = router.HandleRpc(peer, rpc);
        Assert.Equal(signed, Assert.Single(inbound).Raw);
        Assert.Equal(1, router.Metrics.Rejected);
    }
}
