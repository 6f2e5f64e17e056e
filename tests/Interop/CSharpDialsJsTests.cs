using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Perf;
using Nnrp.Libp2p.Ping;
using Xunit.Abstractions;

namespace Nnrp.Interop;

/// <summary>Our host dials a js-libp2p peer: TCP, /noise, /yamux/1.0.0 all negotiated by us as initiator.</summary>
public class CSharpDialsJsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ILoggerFactory _loggers = TestLogging.Create(output, LogLevel.Debug);
    private JsPeer _js = null!;
    private CSharpPeer _cs = null!;
    private PeerId _jsId = null!;

    /// <summary>Where every peer listens (and so which transport carries the test); the WebSocket subclass says /ws.</summary>
    protected virtual string Listen => "/ip4/127.0.0.1/tcp/0";

    public async Task InitializeAsync()
    {
        _js = await JsPeer.StartAsync(Listen);
        _cs = await CSharpPeer.StartAsync(_loggers, listen: Listen);
        _jsId = PeerId.Parse(_js.PeerId);
        await _cs.Host.DialAsync(Nnrp.Libp2p.Addressing.Multiaddr.Parse(_js.DialAddress), CancellationToken.None).WaitAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await _cs.DisposeAsync();
        await _js.DisposeAsync();
        _loggers.Dispose();
    }

    [Fact]
    public async Task Each_side_identifies_the_other_with_protocols_and_agent_version()
    {
        IdentifyResult js = await _cs.Identify.WaitForIdentifyAsync(_jsId, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal("js-interop-peer/1.0", js.AgentVersion);
        Assert.Contains(IdentifyService.ProtocolId, js.Protocols);
        Assert.Contains(PingService.ProtocolId, js.Protocols);
        Assert.Contains(CSharpPeer.EchoProtocol, js.Protocols);
        Assert.Contains(Nnrp.Libp2p.Addressing.Multiaddr.Parse(_js.Addresses[0]).WithoutPeerId(), js.ListenAddresses);

        JsonObject seen = await _js.WaitForEventAsync("peer:identify", e => e["peer"]!.GetValue<string>() == _cs.Host.PeerId.ToString());
        Assert.Equal(HostOptions.DefaultAgentVersion, seen["agentVersion"]!.GetValue<string>());
        string[] protocols = seen["protocols"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
        Assert.Contains(IdentifyService.ProtocolId, protocols);
        Assert.Contains(IdentifyService.PushProtocolId, protocols);
        Assert.Contains(PingService.ProtocolId, protocols);
        Assert.Contains(PerfService.ProtocolId, protocols);
        Assert.Contains(CSharpPeer.EchoProtocol, protocols);
    }

    [Fact]
    public async Task Identify_push_tells_the_js_peer_about_a_new_protocol()
    {
        await _js.WaitForEventAsync("peer:identify", e => e["peer"]!.GetValue<string>() == _cs.Host.PeerId.ToString());
        _cs.Host.SetStreamHandler("/nnrp-interop/late/1.0.0", static (_, _) => Task.CompletedTask);
        await EventuallyJs(async () =>
        {
            JsonObject info = await _js.CallAsync("peerInfo", new { peer = _cs.Host.PeerId.ToString() });
            return info["protocols"]!.AsArray().Any(p => p!.GetValue<string>() == "/nnrp-interop/late/1.0.0");
        });
    }

    [Fact]
    public async Task Ping_round_trips_both_ways()
    {
        TimeSpan rtt = await _cs.Ping.PingAsync(_jsId, CancellationToken.None).WaitAsync(Timeout);
        Assert.True(rtt > TimeSpan.Zero);
        IReadOnlyList<TimeSpan> many = await _cs.Ping.PingAsync(_jsId, 5, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(5, many.Count);
        JsonObject js = await _js.CallAsync("ping", new { addr = _cs.DialAddress.ToString() });
        Assert.True(js["rtt"]!.GetValue<double>() >= 0);
    }

    [Fact]
    public async Task Hundred_concurrent_streams_each_echo_64_KiB()
    {
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => _cs.EchoAsync(_jsId, 64 * 1024, CancellationToken.None))).WaitAsync(Timeout);
    }

    [Fact]
    public async Task One_stream_moves_32_MiB_each_way_intact()
    {
        await _cs.EchoAsync(_jsId, 32 * 1024 * 1024, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Perf_against_the_js_perf_handler_moves_the_requested_bytes()
    {
        PerfResult result = await _cs.Perf.RunAsync(_jsId, 8 << 20, 8 << 20, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(8 << 20, result.Downloaded);
    }

    [Fact]
    public async Task Closing_the_connection_is_seen_by_both_sides()
    {
        Task jsSaw = _js.WaitForEventAsync("peer:disconnect", e => e["peer"]!.GetValue<string>() == _cs.Host.PeerId.ToString());
        await _cs.Host.DisconnectAsync(_jsId).WaitAsync(Timeout);
        await jsSaw.WaitAsync(Timeout);
        await Eventually.TrueAsync(() => _cs.Host.FindConnection(_jsId) is null, "the host forgets the connection");
    }

    private static async Task EventuallyJs(Func<Task<bool>> condition)
    {
        using var limit = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            await Task.Delay(50, limit.Token);
        }
    }
}
