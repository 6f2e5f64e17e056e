using Microsoft.Extensions.Logging;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Relay;
using Xunit.Abstractions;

namespace Nnrp.Interop;

/// <summary>
/// Circuit relay v2 against js-libp2p's @libp2p/circuit-relay-v2 (js/relay-peer.mjs): a js relay
/// serves a C# listener reached by a C# and by a js dialer; a C# relay serves a js listener
/// reached by a C# and by a js dialer. Bytes cross each relay both ways on an echo protocol.
/// </summary>
public sealed class RelayInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string EchoProtocol = "/nnrp-interop/echo/1.0.0";

    private readonly ILoggerFactory _loggers = TestLogging.Create(output, LogLevel.Warning);
    private readonly List<Libp2pHost> _hosts = [];
    private readonly List<JsPeer> _js = [];
    private readonly List<RelayClient> _clients = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (RelayClient client in _clients)
        {
            await client.DisposeAsync();
        }
        foreach (JsPeer js in _js)
        {
            await js.DisposeAsync();
        }
        foreach (Libp2pHost host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    private async Task<Libp2pHost> StartHostAsync(Action<Libp2pHost>? configure = null)
    {
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] }, _loggers);
        _hosts.Add(host);
        host.SetStreamHandler(EchoProtocol, static async (stream, ct) =>
        {
            await stream.Input.CopyToAsync(stream.Output, ct);
            stream.CloseWrite();
        });
        configure?.Invoke(host);
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    private async Task<JsPeer> StartJsAsync(Dictionary<string, string> environment)
    {
        JsPeer js = await JsPeer.StartAsync("js/relay-peer.mjs", environment);
        _js.Add(js);
        return js;
    }

    private static async Task<byte[]> EchoAsync(Libp2pHost dialer, Multiaddr target, byte[] payload)
    {
        await using Libp2pStream stream = await dialer.NewStreamAsync(target, [EchoProtocol], CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);
        Assert.True(stream.Connection.IsLimited);
        await stream.Output.WriteAsync(payload);
        stream.CloseWrite();
        using var received = new MemoryStream();
        await stream.Input.CopyToAsync(received).WaitAsync(Eventually.DefaultTimeout);
        return received.ToArray();
    }

    [Fact]
    public async Task A_js_relay_serves_a_csharp_listener_to_csharp_and_js_dialers()
    {
        JsPeer relay = await StartJsAsync(new() { ["RELAY_SERVER"] = "1" });
        Libp2pHost listener = await StartHostAsync();
        var client = new RelayClient(listener, _loggers);
        _clients.Add(client);

        RelayReservation reservation = await client.ReserveAsync(Multiaddr.Parse(relay.DialAddress), CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);

        // The js relay's voucher verifies with our envelope code and names both peers.
        Assert.Equal(relay.PeerId, reservation.Voucher!.Relay.ToString());
        Assert.Equal(listener.PeerId, reservation.Voucher.Peer);
        Assert.Equal(1, (await relay.CallAsync("reservations"))["count"]!.GetValue<int>());
        Multiaddr circuit = Assert.Single(reservation.Addresses, a => a.ToString().StartsWith(relay.DialAddress.Split("/p2p/")[0], StringComparison.Ordinal));

        Libp2pHost csharpDialer = await StartHostAsync();
        byte[] payload = new byte[20_000];
        Random.Shared.NextBytes(payload);
        Assert.Equal(payload, await EchoAsync(csharpDialer, circuit, payload));

        JsPeer jsDialer = await StartJsAsync([]);
        var echoed = await jsDialer.CallAsync("echo", new { addr = circuit.ToString(), size = 20_000 });
        Assert.True(echoed["limited"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_csharp_relay_serves_a_js_listener_to_csharp_and_js_dialers()
    {
        RelayService? service = null;
        Libp2pHost relay = await StartHostAsync(h => (service = new RelayService(h, loggerFactory: _loggers)).Start());
        Multiaddr relayAddress = relay.ListenAddresses[0].WithPeerIdMultihash(relay.PeerId.Bytes.Span);

        JsPeer listener = await StartJsAsync(new() { ["RELAY_LISTEN"] = relayAddress.ToString() });
        string circuit = (await listener.CallAsync("circuitAddrs"))["addrs"]!.AsArray()[0]!.GetValue<string>();

        Assert.Equal(CircuitAddress.For(relayAddress, PeerId.Parse(listener.PeerId)).ToString(), circuit);
        Assert.Equal(1, service!.ReservationCount);

        Libp2pHost csharpDialer = await StartHostAsync();
        byte[] payload = new byte[20_000];
        Random.Shared.NextBytes(payload);
        Assert.Equal(payload, await EchoAsync(csharpDialer, Multiaddr.Parse(circuit), payload));

        JsPeer jsDialer = await StartJsAsync([]);
        var echoed = await jsDialer.CallAsync("echo", new { addr = circuit, size = 20_000 });
        Assert.True(echoed["limited"]!.GetValue<bool>());
    }
}
