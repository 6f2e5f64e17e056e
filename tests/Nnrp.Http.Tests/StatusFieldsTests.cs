using System.Text.Json;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Http.Tests;

/// <summary>NNRP.md §12 <c>GET /v1/status</c>: the browser doors, connections, known peers, DHT and sync fields.</summary>
public sealed class StatusFieldsTests
{
    [Fact]
    public async Task On_a_private_network_the_bound_API_is_a_browser_door_in_status_and_in_the_hosts_advertised_addresses()
    {
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { AdvertisePrivate = true });
        using JsonDocument status = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/status"));

        var port = new Uri(api.Api.Urls[0]).Port;
        string door = $"/ip4/127.0.0.1/tcp/{port}/http";
        Assert.Equal([door], status.RootElement.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains(Multiaddr.Parse(door), api.Host.GetAdvertisedAddresses());
        Assert.Contains(door + "/p2p/" + api.Host.PeerId, status.RootElement.GetProperty("addrs").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task A_loopback_API_is_not_advertised_off_a_private_network()
    {
        await using var api = await ApiFixture.StartAsync();
        using JsonDocument status = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/status"));

        Assert.Empty(status.RootElement.GetProperty("addresses").EnumerateArray());
        Assert.DoesNotContain(api.Host.GetAdvertisedAddresses(), a => a.ToString().EndsWith("/http", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Announced_addresses_replace_the_bound_one()
    {
        Multiaddr announced = Multiaddr.Parse("/dns4/node.example.org/tcp/443/tls/http");
        await using var api = await ApiFixture.StartAsync(new HttpApiOptions { AnnounceAddresses = [announced], AdvertisePrivate = true });
        using JsonDocument status = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/status"));

        Assert.Equal(["/dns4/node.example.org/tcp/443/tls/http"], status.RootElement.GetProperty("addresses").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal([announced], api.Api.Doors);
        Assert.Contains(announced, api.Host.GetAdvertisedAddresses());
    }

    [Fact]
    public async Task Connections_and_known_peers_count_a_connected_node()
    {
        await using var a = await ApiFixture.StartAsync();
        await using var b = await ApiFixture.StartAsync();
        await b.Host.DialAsync(a.Host.ListenAddresses[0].WithPeerIdMultihash(a.Host.PeerId.Bytes.Span), CancellationToken.None);

        using JsonDocument status = JsonDocument.Parse(await a.Client.GetStringAsync("/v1/status"));
        Assert.Equal(a.Host.Connections.Count, status.RootElement.GetProperty("connections").GetInt32());
        Assert.True(status.RootElement.GetProperty("connections").GetInt32() >= 1);
        Assert.True(status.RootElement.GetProperty("known_peers").GetInt32() >= 1);
    }

    [Fact]
    public async Task Dht_and_sync_summaries_read_the_nodes_own_state()
    {
        await using var api = await ApiFixture.StartAsync();
        using JsonDocument status = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/status"));
        JsonElement dht = status.RootElement.GetProperty("dht"), sync = status.RootElement.GetProperty("sync");

        Assert.Equal(api.Node.IsDhtBootstrapped, dht.GetProperty("ready").GetBoolean());
        Assert.Equal(api.Node.Kad.RoutingTable.Count, dht.GetProperty("routing_table").GetInt32());
        Assert.Equal(api.Node.Kad.Mode.ToString().ToLowerInvariant(), dht.GetProperty("mode").GetString());
        Assert.Equal(api.Node.Reachability.ToString().ToLowerInvariant(), status.RootElement.GetProperty("reachability").GetString());
        Assert.Contains(status.RootElement.GetProperty("reachability").GetString(), new[] { "unknown", "public", "private" });
        Assert.Equal(api.Node.Sync.Metrics.Sessions, sync.GetProperty("sessions").GetInt64());
        Assert.Equal(api.Node.Sync.Metrics.SessionsFailed, sync.GetProperty("sessions_failed").GetInt64());
        Assert.Equal(api.Node.Sync.Metrics.ItemsPulled, sync.GetProperty("items_pulled").GetInt64());
        Assert.Equal(api.Node.Sync.Metrics.ItemsOffered, sync.GetProperty("items_offered").GetInt64());
        Assert.Equal(api.Node.Sync.Metrics.Offering, sync.GetProperty("offering").GetBoolean());
    }
}
