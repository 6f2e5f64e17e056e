using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Dcutr;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;
using Xunit.Abstractions;

namespace Nnrp.Interop;

/// <summary>
/// DCUtR against js-libp2p's @libp2p/dcutr (js/dcutr-peer.mjs), through a C# relay, both ways:
/// a C# peer behind the relay upgrades a js dialer's relayed connection (C# runs the CONNECT/SYNC
/// exchange), and a js peer behind the relay upgrades a C# dialer's (js runs it, C# answers).
/// </summary>
/// <remarks>
/// @libp2p/dcutr 3.0.28 dials only addresses it takes for public; it takes any DNS name for
/// public, so the C# peers announce <c>/dns4/localhost/tcp/&lt;port&gt;</c> beside loopback.
/// </remarks>
public sealed class DcutrInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DcutrOptions Options = new() { AllowPrivateAddresses = true, RelayedConnectionGrace = TimeSpan.FromSeconds(1) };

    private readonly ILoggerFactory _loggers = TestLogging.Create(output, LogLevel.Warning);
    private readonly List<IAsyncDisposable> _parts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable part in Enumerable.Reverse(_parts))
        {
            await part.DisposeAsync();
        }
    }

    private async Task<Multiaddr> StartRelayAsync()
    {
        var relay = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] }, _loggers);
        _parts.Add(relay);
        new RelayService(relay, loggerFactory: _loggers).Start();
        await relay.StartAsync(CancellationToken.None);
        return relay.ListenAddresses[0].WithPeerIdMultihash(relay.PeerId.Bytes.Span);
    }

    /// <summary>
    /// A C# peer with identify and DCUtR, listening on loopback and announcing that port, and
    /// <c>/dns4/localhost</c> with that port — or, with <paramref name="deadName"/>, with a port
    /// nothing listens on, so that js's unilateral dial and its own hole punch dial fail and only ours can succeed.
    /// </summary>
    private async Task<(Libp2pHost Host, DcutrService Dcutr)> StartCSharpAsync(bool deadName = false)
    {
        // The ports must be known before the host starts to announce them: take free ones.
        int port = FreePort();
        int named = deadName ? FreePort() : port;
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions
        {
            ListenAddresses = [Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}")],
            AnnounceAddresses = [Multiaddr.Parse($"/dns4/localhost/tcp/{named}"), Multiaddr.Parse($"/ip4/127.0.0.1/tcp/{port}")],
        }, _loggers);
        var identify = new IdentifyService(host, _loggers);
        identify.Start();
        var dcutr = new DcutrService(host, Options, identify, _loggers);
        dcutr.Start();
        _parts.Add(host);
        _parts.Add(dcutr);
        await host.StartAsync(CancellationToken.None);
        return (host, dcutr);
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task<JsPeer> StartJsAsync(Dictionary<string, string> environment)
    {
        JsPeer js = await JsPeer.StartAsync("js/dcutr-peer.mjs", environment);
        _parts.Add(js);
        return js;
    }

    private static Task<HolePunchOutcome> NextOutcome(DcutrService service) =>
        Eventually.WhenAsync<HolePunchOutcome>(h => service.HolePunchFinished += (_, e) => h(e.Outcome), static _ => true);

    [Fact]
    public async Task A_csharp_peer_behind_a_relay_punches_a_direct_connection_to_a_js_dialer()
    {
        Multiaddr relay = await StartRelayAsync();
        (Libp2pHost natted, DcutrService dcutr) = await StartCSharpAsync();
        var client = new RelayClient(natted, _loggers);
        _parts.Add(client);
        RelayReservation reservation = await client.ReserveAsync(relay, CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);
        // The js dialer has no listener: no unilateral upgrade, only the CONNECT/SYNC exchange and js's dial.
        JsPeer js = await StartJsAsync(new() { ["NO_LISTEN"] = "1" });
        Task<HolePunchOutcome> punched = NextOutcome(dcutr);

        var dialed = await js.CallAsync("dial", new { addr = reservation.Addresses[0].ToString() });
        HolePunchOutcome outcome = await punched.WaitAsync(Eventually.DefaultTimeout);
        var direct = await js.CallAsync("waitDirect", new { peer = natted.PeerId.ToString() });

        Assert.True(dialed["limited"]!.GetValue<bool>());
        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.Equal(1, outcome.Attempts);
        Assert.Equal(js.PeerId, outcome.Peer.ToString());
        Assert.False(direct["limited"]!.GetValue<bool>());
        Assert.False(natted.FindConnection(PeerId.Parse(js.PeerId))!.IsLimited);
    }

    [Fact]
    public async Task A_js_peer_behind_a_relay_punches_a_direct_connection_to_a_csharp_dialer()
    {
        Multiaddr relay = await StartRelayAsync();
        JsPeer natted = await StartJsAsync(new() { ["RELAY_LISTEN"] = relay.ToString() });
        string circuit = (await natted.CallAsync("circuitAddrs"))["addrs"]!.AsArray()[0]!.GetValue<string>();
        (Libp2pHost dialer, DcutrService dcutr) = await StartCSharpAsync(deadName: true);
        Task<HolePunchOutcome> answered = NextOutcome(dcutr);

        Connection relayed = await dialer.DialAsync(Multiaddr.Parse(circuit), CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);
        HolePunchOutcome outcome = await answered.WaitAsync(Eventually.DefaultTimeout);
        var direct = await natted.CallAsync("waitDirect", new { peer = dialer.PeerId.ToString() });

        Assert.True(relayed.IsLimited);
        Assert.True(outcome.Succeeded, outcome.Reason);
        Assert.False(outcome.Initiator);
        Assert.False(direct["limited"]!.GetValue<bool>());
        Assert.False(dialer.FindConnection(PeerId.Parse(natted.PeerId))!.IsLimited);
    }
}
