using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;
using Nnrp.Libp2p.Relay.Protobuf;
using Nnrp.Libp2p.Tests.Host;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Relay;

/// <summary>
/// NNRP.md §14.4 "Who relays" and "Choosing relays": a node that is not publicly dialable holds
/// reservations on peers that identify as relays, replaces those that drop or refuse, and lets
/// them all go once it is dialable; a relay that stops serving drops what it granted.
/// </summary>
public sealed class AutoRelayTests : IAsyncLifetime
{
    private readonly Hosts _hosts = new();
    private readonly List<IAsyncDisposable> _parts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable part in Enumerable.Reverse(_parts))
        {
            await part.DisposeAsync();
        }
        await _hosts.DisposeAsync();
    }

    private async Task<(Libp2pHost Host, RelayService Service)> StartRelayAsync(RelayServiceOptions? options = null)
    {
        RelayService? service = null;
        Libp2pHost host = await _hosts.StartAsync(configure: h =>
        {
            new IdentifyService(h).Start();
            (service = new RelayService(h, options)).Start();
        });
        return (host, service!);
    }

    private async Task<(Libp2pHost Host, RelayClient Client, AutoRelay Auto)> StartNattedAsync(int relays)
    {
        IdentifyService? identify = null;
        Libp2pHost host = await _hosts.StartAsync(configure: h => (identify = new IdentifyService(h)).Start());
        var client = new RelayClient(host);
        var auto = new AutoRelay(host, client, identify, new AutoRelayOptions { Relays = relays, ScanInterval = TimeSpan.FromMilliseconds(200) });
        _parts.Add(client);
        _parts.Add(auto);
        auto.Start();
        return (host, client, auto);
    }

    /// <summary>
    /// A hostile relay: identifies as serving hop and answers every RESERVE with OK and a
    /// reservation expiring <paramref name="life"/> from now; with <paramref name="dropAfterGrant"/>
    /// it then closes the connection. Returns the times RESERVE arrived.
    /// </summary>
    private async Task<(Libp2pHost Host, List<DateTimeOffset> Reserves)> StartHostileRelayAsync(TimeSpan life, bool dropAfterGrant)
    {
        var reserves = new List<DateTimeOffset>();
        Libp2pHost host = await _hosts.StartAsync(configure: h =>
        {
            h.SetStreamHandler(RelayCodec.HopProtocolId, async (stream, ct) =>
            {
                HopMessage? request = await RelayCodec.ReadHopAsync(stream.Input, ct);
                if (request?.Type != HopMessage.Types.Type.Reserve)
                {
                    return;
                }
                lock (reserves)
                {
                    reserves.Add(DateTimeOffset.UtcNow);
                }
                var answer = new HopMessage
                {
                    Type = HopMessage.Types.Type.Status,
                    Status = Status.Ok,
                    Reservation = new Reservation { Expire = (ulong)(DateTimeOffset.UtcNow + life).ToUnixTimeSeconds() },
                };
                await RelayCodec.WriteAsync(stream.Output, answer, ct);
                stream.CloseWrite();
                if (dropAfterGrant)
                {
                    await stream.Input.ReadAsync(ct); // the client's end of the stream: the answer arrived
                    await stream.Connection.CloseAsync();
                }
            });
            new IdentifyService(h).Start();
        });
        return (host, reserves);
    }

    private static int Count(List<DateTimeOffset> reserves)
    {
        lock (reserves)
        {
            return reserves.Count;
        }
    }

    private static async Task ConnectAsync(Libp2pHost from, params Libp2pHost[] to)
    {
        foreach (Libp2pHost peer in to)
        {
            await Within(from.DialAsync(AddressOf(peer), CancellationToken.None));
        }
    }

    private static Task Until(Func<bool> condition, string what) => Nnrp.Libp2p.Tests.GossipSub.InMemoryNetwork.Eventually(condition, what);

    [Fact]
    public async Task While_active_it_reserves_on_peers_that_serve_hop_and_is_advertised_through_them()
    {
        var relays = new[] { await StartRelayAsync(), await StartRelayAsync(), await StartRelayAsync() };
        Libp2pHost plain = await _hosts.StartAsync(configure: h => new IdentifyService(h).Start());
        (Libp2pHost natted, RelayClient client, AutoRelay auto) = await StartNattedAsync(relays: 2);
        await ConnectAsync(natted, [plain, .. relays.Select(r => r.Host)]);
        await Until(() => relays.All(r => natted.PeerStore.GetProtocols(r.Host.PeerId).Contains(RelayCodec.HopProtocolId)), "identify tells which peers relay");
        Assert.Empty(client.Reservations);

        auto.SetActive(true);

        await Until(() => client.Reservations.Count == 2, "reservations on two relays");
        HashSet<PeerId> relayIds = [.. relays.Select(r => r.Host.PeerId)];
        Assert.All(client.Reservations.Keys, r => Assert.Contains(r, relayIds));
        Assert.DoesNotContain(plain.PeerId, client.Reservations.Keys);
        IReadOnlyList<Multiaddr> advertised = natted.GetAdvertisedAddresses();
        foreach (PeerId relay in client.Reservations.Keys)
        {
            Libp2pHost host = relays.Single(r => r.Host.PeerId.Equals(relay)).Host;
            Assert.Contains(CircuitAddress.For(AddressOf(host), natted.PeerId), advertised);
        }
        Assert.Equal(2, relays.Sum(r => r.Service.ReservationCount));
    }

    [Fact]
    public async Task A_relay_whose_connection_drops_is_replaced_by_another()
    {
        var relays = new[] { await StartRelayAsync(), await StartRelayAsync(), await StartRelayAsync() };
        (Libp2pHost natted, RelayClient client, AutoRelay auto) = await StartNattedAsync(relays: 2);
        await ConnectAsync(natted, [.. relays.Select(r => r.Host)]);
        await Until(() => relays.All(r => natted.PeerStore.GetProtocols(r.Host.PeerId).Contains(RelayCodec.HopProtocolId)), "identify tells which peers relay");
        auto.SetActive(true);
        await Until(() => client.Reservations.Count == 2, "reservations on two relays");
        PeerId lost = client.Reservations.Keys.First();
        Libp2pHost lostHost = relays.Single(r => r.Host.PeerId.Equals(lost)).Host;
        PeerId spare = relays.Select(r => r.Host.PeerId).Single(p => !client.Reservations.ContainsKey(p));

        await lostHost.DisposeAsync();

        await Until(() => client.Reservations.Count == 2 && client.Reservations.ContainsKey(spare), "the spare relay takes the lost one's place");
        Assert.DoesNotContain(natted.GetAdvertisedAddresses(), a => a.ToString().Contains(lost.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_relay_that_refuses_is_left_alone_and_another_is_asked()
    {
        (Libp2pHost full, RelayService fullService) = await StartRelayAsync(new RelayServiceOptions { MaxReservations = 1 });
        Libp2pHost other = await _hosts.StartAsync();
        await using (var filler = new RelayClient(other))
        {
            await Within(filler.ReserveAsync(AddressOf(full), CancellationToken.None));
        }
        (Libp2pHost open, _) = await StartRelayAsync();
        (Libp2pHost natted, RelayClient client, AutoRelay auto) = await StartNattedAsync(relays: 2);
        await ConnectAsync(natted, full, open);
        await Until(() => natted.PeerStore.GetProtocols(full.PeerId).Contains(RelayCodec.HopProtocolId)
            && natted.PeerStore.GetProtocols(open.PeerId).Contains(RelayCodec.HopProtocolId), "identify tells which peers relay");

        auto.SetActive(true);

        await Until(() => client.Reservations.ContainsKey(open.PeerId), "a reservation on the relay with room");
        await Until(() => auto.Relays.Count == 1, "the refusing relay is let go");
        Assert.DoesNotContain(full.PeerId, client.Reservations.Keys);
        Assert.Equal(1, fullService.ReservationCount); // the filler's, untouched
    }

    [Fact]
    public async Task A_relay_that_grants_and_drops_at_once_is_left_alone_as_one_that_failed()
    {
        (Libp2pHost hostile, List<DateTimeOffset> reserves) = await StartHostileRelayAsync(TimeSpan.FromHours(1), dropAfterGrant: true);
        IdentifyService? identify = null;
        Libp2pHost natted = await _hosts.StartAsync(configure: h => (identify = new IdentifyService(h)).Start());
        var client = new RelayClient(natted);
        TimeSpan first = TimeSpan.FromSeconds(1);
        var auto = new AutoRelay(natted, client, identify, new AutoRelayOptions
        {
            Relays = 1,
            ScanInterval = TimeSpan.FromMilliseconds(100),
            FailureBackoff = first,
            LostBackoff = TimeSpan.FromMilliseconds(10), // a lost relay could be asked again almost at once
        });
        _parts.Add(client);
        _parts.Add(auto);
        auto.Start();
        await ConnectAsync(natted, hostile);
        await Until(() => natted.PeerStore.GetProtocols(hostile.PeerId).Contains(RelayCodec.HopProtocolId), "identify tells the hostile peer relays");

        auto.SetActive(true);

        // Each RESERVE comes after the failure backoff, doubling (1 s, then 2 s), not after the
        // 10 ms a relay that was held and lost would get. Lower bounds only: load adds time.
        await Until(() => Count(reserves) >= 3, "the relay is asked again, with backoff");
        DateTimeOffset[] at;
        lock (reserves)
        {
            at = [.. reserves];
        }
        Assert.True(at[1] - at[0] >= first * 0.9, $"second RESERVE {(at[1] - at[0]).TotalMilliseconds:0} ms after the first");
        Assert.True(at[2] - at[1] >= first * 2 * 0.9, $"third RESERVE {(at[2] - at[1]).TotalMilliseconds:0} ms after the second");
    }

    [Fact]
    public async Task A_reservation_that_expires_within_a_minute_is_refused_and_the_relay_left_alone()
    {
        (Libp2pHost hostile, List<DateTimeOffset> reserves) = await StartHostileRelayAsync(TimeSpan.FromSeconds(5), dropAfterGrant: false);
        (Libp2pHost natted, RelayClient client, AutoRelay auto) = await StartNattedAsync(relays: 1);
        await ConnectAsync(natted, hostile);
        await Until(() => natted.PeerStore.GetProtocols(hostile.PeerId).Contains(RelayCodec.HopProtocolId), "identify tells the hostile peer relays");

        auto.SetActive(true);

        // Accepted, it would be refreshed every few seconds for as long as the relay liked.
        await Until(() => Count(reserves) >= 1 && auto.Relays.Count == 0, "the short grant is refused and the relay let go");
        Assert.Empty(client.Reservations);
        Assert.DoesNotContain(natted.GetAdvertisedAddresses(), CircuitAddress.IsCircuit);
    }

    [Fact]
    public async Task Once_inactive_it_releases_every_reservation_and_circuit_address()
    {
        var relays = new[] { await StartRelayAsync(), await StartRelayAsync() };
        (Libp2pHost natted, RelayClient client, AutoRelay auto) = await StartNattedAsync(relays: 2);
        await ConnectAsync(natted, [.. relays.Select(r => r.Host)]);
        await Until(() => relays.All(r => natted.PeerStore.GetProtocols(r.Host.PeerId).Contains(RelayCodec.HopProtocolId)), "identify tells which peers relay");
        auto.SetActive(true);
        await Until(() => client.Reservations.Count == 2, "reservations on both relays");

        auto.SetActive(false);

        await Until(() => client.Reservations.Count == 0, "every reservation released");
        Assert.DoesNotContain(natted.GetAdvertisedAddresses(), CircuitAddress.IsCircuit);
        Assert.Empty(auto.Relays);
    }

    [Fact]
    public async Task A_relay_the_node_was_given_is_left_to_the_client_and_kept_when_auto_relay_stops()
    {
        var relays = new[] { await StartRelayAsync(), await StartRelayAsync() };
        (Libp2pHost natted, RelayClient client, AutoRelay auto) = await StartNattedAsync(relays: 2);
        Libp2pHost given = relays[0].Host;
        await Within(client.ReserveAsync(AddressOf(given), CancellationToken.None)); // as --relay does
        await ConnectAsync(natted, relays[1].Host);
        await Until(() => relays.All(r => natted.PeerStore.GetProtocols(r.Host.PeerId).Contains(RelayCodec.HopProtocolId)), "identify tells which peers relay");

        auto.SetActive(true);
        await Until(() => auto.Relays.Count == 1 && client.Reservations.Count == 2, "auto relay holds the other relay");
        Assert.DoesNotContain(given.PeerId, auto.Relays);

        auto.SetActive(false);

        await Until(() => client.Reservations.Count == 1, "auto relay let its relay go");
        Assert.True(client.Reservations.ContainsKey(given.PeerId));
        Assert.Contains(CircuitAddress.For(AddressOf(given), natted.PeerId), natted.GetAdvertisedAddresses());
    }

    [Fact]
    public async Task A_relay_that_stops_serving_drops_its_reservations_and_leaves_identify()
    {
        (Libp2pHost relay, RelayService service) = await StartRelayAsync();
        Libp2pHost peer = await _hosts.StartAsync();
        var client = new RelayClient(peer);
        _parts.Add(client);
        await Within(client.ReserveAsync(AddressOf(relay), CancellationToken.None));
        Assert.Equal(1, service.ReservationCount);
        Assert.True(relay.IsProtected(peer.PeerId));

        service.Stop();

        Assert.False(service.IsServing);
        Assert.Equal(0, service.ReservationCount);
        Assert.False(relay.IsProtected(peer.PeerId));
        Assert.DoesNotContain(RelayCodec.HopProtocolId, relay.Protocols);
        await Assert.ThrowsAnyAsync<Exception>(() => Within(client.ReserveAsync(AddressOf(relay), CancellationToken.None)));

        service.Start();
        Assert.Contains(RelayCodec.HopProtocolId, relay.Protocols);
        await Within(client.ReserveAsync(AddressOf(relay), CancellationToken.None));
        Assert.Equal(1, service.ReservationCount);
    }
}
