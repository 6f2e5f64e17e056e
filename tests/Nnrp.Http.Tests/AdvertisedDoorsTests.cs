using Nnrp.Libp2p.Addressing;

namespace Nnrp.Http.Tests;

/// <summary>The host's hook for doors that are not libp2p listeners: advertised, pushed by identify when they change, never dialed.</summary>
public sealed class AdvertisedDoorsTests
{
    [Fact]
    public async Task A_door_set_after_connecting_reaches_the_peer_by_identify_push()
    {
        await using var a = await ApiFixture.StartAsync();
        await using var b = await ApiFixture.StartAsync();
        await b.Host.DialAsync(a.Host.ListenAddresses[0].WithPeerIdMultihash(a.Host.PeerId.Bytes.Span), CancellationToken.None);
        Multiaddr door = Multiaddr.Parse("/dns4/b.example.org/tcp/443/tls/http");
        // A has identified B already, so only a push can bring it the new door.
        await a.Node.Identify.WaitForIdentifyAsync(b.Host.PeerId, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(door, a.Host.PeerStore.GetAddresses(b.Host.PeerId));

        b.Host.SetOtherDoors([door]);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!a.Host.PeerStore.GetAddresses(b.Host.PeerId).Contains(door))
        {
            await Task.Delay(100, deadline.Token);
        }
        Assert.Equal(door, b.Host.GetAdvertisedAddresses()[^1]);
    }

    [Fact]
    public async Task A_peer_known_only_by_its_http_door_is_not_dialed_over_libp2p()
    {
        await using var a = await ApiFixture.StartAsync();
        using var key = Nnrp.Libp2p.Identity.KeyPair.Generate();
        a.Host.PeerStore.AddAddresses(key.PeerId, [Multiaddr.Parse("/ip4/127.0.0.1/tcp/1/http")]);

        var ex = await Assert.ThrowsAsync<Nnrp.Libp2p.Host.PeerUnreachableException>(() => a.Host.DialAsync(key.PeerId, CancellationToken.None));
        Assert.Empty(ex.Attempts);
    }
}
