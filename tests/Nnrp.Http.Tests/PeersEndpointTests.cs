using System.Security.Cryptography;
using System.Text.Json;
using Nnrp.Http.Peers;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Http.Tests;

/// <summary>NNRP.md §12 <c>GET /v1/peers</c>: other nodes' browser doors, learnt from the network, filtered and bounded.</summary>
public sealed class PeersEndpointTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_connected_node_is_listed_with_the_HTTP_door_it_advertised_through_identify()
    {
        await using var a = await ApiFixture.StartAsync(new HttpApiOptions { AdvertisePrivate = true });
        await using var b = await ApiFixture.StartAsync(new HttpApiOptions { AdvertisePrivate = true });
        await b.Host.DialAsync(a.Host.ListenAddresses[0].WithPeerIdMultihash(a.Host.PeerId.Bytes.Span), CancellationToken.None);
        string door = b.Api.Doors.Single().ToString();

        JsonElement? entry = null;
        using var deadline = new CancellationTokenSource(Patience);
        while (entry is null)
        {
            deadline.Token.ThrowIfCancellationRequested();
            using JsonDocument peers = JsonDocument.Parse(await a.Client.GetStringAsync("/v1/peers", deadline.Token));
            entry = peers.RootElement.GetProperty("peers").EnumerateArray()
                .Where(p => p.GetProperty("peer_id").GetString() == b.Host.PeerId.ToString())
                .Select(p => (JsonElement?)p.Clone()).FirstOrDefault();
            if (entry is null)
            {
                await Task.Delay(200, deadline.Token);
            }
        }
        Assert.Equal([door], entry.Value.GetProperty("addresses").EnumerateArray().Select(x => x.GetString()));
    }

    [Fact]
    public async Task Only_public_browser_doors_are_listed_off_a_private_network()
    {
        await using var api = await ApiFixture.StartAsync();
        PeerId tcpOnly = RandomPeer(), doors = RandomPeer(), privateDoor = RandomPeer();
        api.Host.PeerStore.AddAddresses(tcpOnly, [Multiaddr.Parse("/dns4/tcp.example.org/tcp/4001")]);
        api.Host.PeerStore.AddAddresses(privateDoor, [Multiaddr.Parse("/ip4/10.1.2.3/tcp/443/tls/http"), Multiaddr.Parse("/ip4/127.0.0.1/tcp/4002/ws")]);
        api.Host.PeerStore.AddAddresses(doors, [
            Multiaddr.Parse("/dns4/node.example.org/tcp/4001"),
            Multiaddr.Parse("/dns4/node.example.org/tcp/443/tls/http"),
            Multiaddr.Parse("/dns4/node.example.org/tcp/4443/tls/ws"),
            Multiaddr.Parse("/ip4/10.0.0.1/tcp/8080/http"),
        ]);

        using JsonDocument peers = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/peers"));
        JsonElement[] listed = [.. peers.RootElement.GetProperty("peers").EnumerateArray()];

        JsonElement only = Assert.Single(listed);
        Assert.Equal(doors.ToString(), only.GetProperty("peer_id").GetString());
        Assert.Equal(
            new[] { "/dns4/node.example.org/tcp/443/tls/http", "/dns4/node.example.org/tcp/4443/tls/ws" }.Order(),
            only.GetProperty("addresses").EnumerateArray().Select(x => x.GetString()!).Order());
    }

    [Fact]
    public async Task The_list_is_bounded()
    {
        await using var api = await ApiFixture.StartAsync();
        for (int i = 0; i < PeerDirectory.MaxPeers + 10; i++)
        {
            api.Host.PeerStore.AddAddresses(RandomPeer(), [Multiaddr.Parse($"/dns4/n{i}.example.org/tcp/443/tls/http")]);
        }

        using JsonDocument peers = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/peers"));
        Assert.Equal(PeerDirectory.MaxPeers, peers.RootElement.GetProperty("peers").GetArrayLength());
    }

    [Fact]
    public async Task Peers_is_rate_limited_like_every_route()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { RateLimitPerSecond = 1, RateLimitBurst = 1 });
        (await api.Client.GetAsync("/v1/peers")).Dispose();
        using HttpResponseMessage second = await api.Client.GetAsync("/v1/peers");

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.NotNull(second.Headers.RetryAfter);
    }

    private static PeerId RandomPeer()
    {
        using KeyPair key = KeyPair.Generate();
        return key.PeerId;
    }
}
