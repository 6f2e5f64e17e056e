using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;
using Nnrp.Libp2p.Tests.Relay;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Dcutr;

/// <summary>
/// A relay (from <see cref="RelayNet"/>) and peers built to order — listening or not, announcing
/// what the test says, with or without DCUtR — all real hosts on loopback TCP.
/// </summary>
public sealed class PunchNet : IAsyncDisposable
{
    /// <summary>Short enough that a test of three failed attempts takes seconds; the relayed connection closes soon after a success.</summary>
    public static readonly DcutrOptions TestOptions = new()
    {
        AllowPrivateAddresses = true,
        DialTimeout = TimeSpan.FromSeconds(2),
        RelayedConnectionGrace = TimeSpan.FromMilliseconds(200),
    };

    private readonly RelayNet _relay = new();
    private readonly List<IAsyncDisposable> _parts = [];

    public Multiaddr RelayAddress => _relay.RelayAddress;

    public async Task<PunchNet> StartAsync()
    {
        await _relay.StartRelayAsync();
        return this;
    }

    /// <summary>A host that listens on loopback unless told otherwise, serves <see cref="RelayNet.EchoProtocol"/> and, unless null, DCUtR.</summary>
    public async Task<(Libp2pHost Host, DcutrService? Dcutr)> StartPeerAsync(bool listen = true, IReadOnlyList<Multiaddr>? announce = null, DcutrOptions? dcutr = null, bool withDcutr = true)
    {
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions
        {
            ListenAddresses = listen ? [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] : [],
            AnnounceAddresses = announce ?? [],
        }, NullLoggerFactory.Instance);
        host.SetStreamHandler(RelayNet.EchoProtocol, RelayNet.EchoAsync);
        DcutrService? service = withDcutr ? new DcutrService(host, dcutr ?? TestOptions) : null;
        service?.Start();
        await host.StartAsync(CancellationToken.None);
        _parts.Add(host);
        if (service is not null)
        {
            _parts.Add(service);
        }
        return (host, service);
    }

    /// <summary>Reserves a slot for <paramref name="host"/> on the relay; returns its circuit address.</summary>
    public async Task<Multiaddr> ReserveAsync(Libp2pHost host)
    {
        var client = new RelayClient(host);
        _parts.Add(client);
        RelayReservation reservation = await Within(client.ReserveAsync(RelayAddress, CancellationToken.None));
        return reservation.Addresses[0];
    }

    /// <summary>The first outcome <paramref name="service"/> reports.</summary>
    public static Task<HolePunchOutcome> NextOutcome(DcutrService service)
    {
        var done = new TaskCompletionSource<HolePunchOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        service.HolePunchFinished += (_, e) => done.TrySetResult(e.Outcome);
        return done.Task.WaitAsync(WaitLimit);
    }

    /// <summary>A loopback TCP address nothing listens on (bound once, then released).</summary>
    public static Multiaddr DeadAddress()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IAsyncDisposable part in Enumerable.Reverse(_parts))
        {
            await part.DisposeAsync();
        }
        await _relay.DisposeAsync();
    }
}
