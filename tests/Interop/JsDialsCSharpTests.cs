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

/// <summary>A js-libp2p peer dials our host: we are the multistream responder, Noise responder and Yamux server.</summary>
public class JsDialsCSharpTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ILoggerFactory _loggers = TestLogging.Create(output, LogLevel.Information);
    private JsPeer _js = null!;
    private CSharpPeer _cs = null!;
    private PeerId _jsId = null!;
    private string _ourAddress = null!;

    /// <summary>Where every peer listens (and so which transport carries the test); the WebSocket subclass says /ws.</summary>
    protected virtual string Listen => "/ip4/127.0.0.1/tcp/0";

    public async Task InitializeAsync()
    {
        _js = await JsPeer.StartAsync(Listen);
        _cs = await CSharpPeer.StartAsync(_loggers, listen: Listen);
        _jsId = PeerId.Parse(_js.PeerId);
        _ourAddress = _cs.DialAddress.ToString();
        JsonObject dialed = await _js.CallAsync("dial", new { addr = _ourAddress });
        Assert.Equal(_cs.Host.PeerId.ToString(), dialed["peer"]!.GetValue<string>());
    }

    public async Task DisposeAsync()
    {
        await _js.DisposeAsync();
        await _cs.DisposeAsync();
        _loggers.Dispose();
    }

    [Fact]
    public async Task Each_side_identifies_the_other_with_protocols_and_agent_version()
    {
        JsonObject seen = await _js.WaitForEventAsync("peer:identify", e => e["peer"]!.GetValue<string>() == _cs.Host.PeerId.ToString());
        Assert.StartsWith("nnrp/", seen["agentVersion"]!.GetValue<string>(), StringComparison.Ordinal);
        string[] protocols = seen["protocols"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
        Assert.Contains(PingService.ProtocolId, protocols);
        Assert.Contains(PerfService.ProtocolId, protocols);
        Assert.Contains(CSharpPeer.EchoProtocol, protocols);
        Assert.Equal(
            _cs.Host.Connections.Single().RemoteAddress.ToString(),
            seen["observedAddr"]!.GetValue<string>());

        IdentifyResult js = await _cs.Identify.WaitForIdentifyAsync(_jsId, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal("js-interop-peer/1.0", js.AgentVersion);
        Assert.Contains(CSharpPeer.EchoProtocol, js.Protocols);
    }

    [Fact]
    public async Task Js_pings_us_and_we_ping_back()
    {
        JsonObject js = await _js.CallAsync("ping", new { addr = _ourAddress });
        Assert.True(js["rtt"]!.GetValue<double>() >= 0);
        TimeSpan rtt = await _cs.Ping.PingAsync(_jsId, CancellationToken.None).WaitAsync(Timeout);
        Assert.True(rtt > TimeSpan.Zero);
    }

    [Fact]
    public async Task Hundred_concurrent_js_streams_each_echo_64_KiB()
    {
        await _js.CallAsync("echo", new { addr = _ourAddress, streams = 100, size = 64 * 1024 });
    }

    [Fact]
    public async Task One_js_stream_moves_32_MiB_each_way_intact()
    {
        await _js.CallAsync("echo", new { addr = _ourAddress, streams = 1, size = 32 * 1024 * 1024 }, TimeSpan.FromMinutes(3));
    }

    [Fact]
    public async Task Js_perf_client_gets_the_requested_bytes_from_our_perf_server()
    {
        JsonObject result = await _js.CallAsync("perf", new { addr = _ourAddress, upload = 8 << 20, download = 8 << 20 });
        Assert.True(result["totalMs"]!.GetValue<double>() > 0);
    }

    [Fact]
    public async Task Js_hanging_up_closes_our_connection()
    {
        Assert.NotNull(_cs.Host.FindConnection(_jsId));
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _cs.Host.ConnectionClosed += (_, e) =>
        {
            if (e.Connection.RemotePeer.Equals(_jsId))
            {
                closed.TrySetResult();
            }
        };
        if (_cs.Host.FindConnection(_jsId) is null)
        {
            closed.TrySetResult();
        }
        await _js.CallAsync("hangup", new { peer = _cs.Host.PeerId.ToString() });
        await closed.Task.WaitAsync(Timeout);
        Assert.Null(_cs.Host.FindConnection(_jsId));
    }
}
