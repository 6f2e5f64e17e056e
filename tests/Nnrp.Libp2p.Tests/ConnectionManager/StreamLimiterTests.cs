using Nnrp.Libp2p.ConnectionManager;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.ConnectionManager;

public sealed class StreamLimiterTests
{
    [Fact]
    public void Streams_of_one_protocol_from_one_peer_stop_at_the_cap_and_others_are_unaffected()
    {
        var limits = new ConnectionLimits
        {
            MaxInboundStreamsPerProtocol = 2,
            InboundStreamsPerProtocol = new Dictionary<string, int>(StringComparer.Ordinal) { ["/big"] = 3 },
        };
        var limiter = new StreamLimiter(limits);
        PeerId peer = KeyPair.Generate().PeerId;
        PeerId other = KeyPair.Generate().PeerId;

        Assert.True(limiter.TryAcquire(peer, "/a"));
        Assert.True(limiter.TryAcquire(peer, "/a"));
        Assert.False(limiter.TryAcquire(peer, "/a"));
        Assert.True(limiter.TryAcquire(other, "/a"));
        Assert.True(limiter.TryAcquire(peer, "/b"));
        for (int i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryAcquire(peer, "/big"));
        }
        Assert.False(limiter.TryAcquire(peer, "/big"));

        limiter.Release(peer, "/a");
        Assert.True(limiter.TryAcquire(peer, "/a"));
        Assert.Equal(7, limiter.Open); // /a 2 + other's /a 1 + /b 1 + /big 3
    }
}
