using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Cli.Tests;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise;
using Nnrp.Libp2p.Yamux;
using Nnrp.Node;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Requests;
using Mss = Nnrp.Libp2p.MultistreamSelect.MultistreamSelect;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// The attacker of the connection-manager scenarios (issue 12 attack 2): raw TCP sockets and
/// complete libp2p upgrades (multistream-select, Noise XX, Yamux) from a chosen source
/// address. Linux accepts any 127/8 address as a source, so on loopback the attacker comes
/// from 127.0.1.2 (or 127.x.y.2 for many subnets) while honest peers use 127.0.0.1.
/// </summary>
internal static class ConnectionAttack
{
    public static readonly IPAddress AttackerAddress = IPAddress.Parse("127.0.1.2");

    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    /// <summary>Attacker <paramref name="index"/>'s source address, each in its own /24: 127.1.i.2.</summary>
    public static IPAddress SubnetAddress(int index) => new([127, (byte)(1 + index / 256), (byte)(index % 256), 2]);

    public static IPEndPoint EndpointOf(Multiaddr address) =>
        address.TryGetIPEndPoint(out IPEndPoint? endpoint) && endpoint is not null ? endpoint : throw new ArgumentException("not an IP address: " + address);

    /// <summary>A TCP connection from <paramref name="source"/> that sends nothing.</summary>
    public static async Task<Socket> ConnectFromAsync(IPAddress source, IPEndPoint target, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(target, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// True once the listener has begun a handshake on <paramref name="socket"/> (its
    /// multistream header arrives); false when it hangs up first (FIN or reset).
    /// </summary>
    public static async Task<bool> AdmittedAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[64];
        try
        {
            return await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) > 0;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Dials <paramref name="target"/> from <paramref name="source"/> as <paramref name="key"/>
    /// and completes the whole upgrade; null when the listener refuses at any step.
    /// </summary>
    public static async Task<HeldConnection?> HandshakeFromAsync(IPAddress source, IPEndPoint target, PeerId expected, KeyPair key, CancellationToken cancellationToken)
    {
        Socket socket;
        try
        {
            socket = await ConnectFromAsync(source, target, cancellationToken);
        }
        catch (SocketException)
        {
            return null;
        }
        var stream = new NetworkStream(socket, ownsSocket: true);
        var pipe = new StreamPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
        SecureChannel? secure = null;
        try
        {
            await Mss.SelectAsync(pipe, [NoiseHandshake.ProtocolId], cancellationToken);
            secure = await NoiseHandshake.RunAsync(pipe, key, initiator: true, expected, NullLogger.Instance, cancellationToken);
            await Mss.SelectAsync(secure, [YamuxOptions.ProtocolId], cancellationToken);
            var session = new YamuxSession(secure, YamuxRole.Client, YamuxOptions.Default, NullLogger.Instance);
            session.Start();
            return new HeldConnection(stream, secure, session);
        }
        catch (Exception ex) when (ex is IOException or SocketException or Nnrp.Libp2p.ProtocolViolationException or OperationCanceledException or ObjectDisposedException or System.Security.Cryptography.CryptographicException)
        {
            secure?.Abort();
            await stream.DisposeAsync();
            return null;
        }
    }

    private sealed record StreamPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}

/// <summary>An attacker's upgraded connection, kept open (its Yamux session answers pings) until disposed.</summary>
internal sealed class HeldConnection(NetworkStream stream, SecureChannel secure, YamuxSession session) : IAsyncDisposable
{
    /// <summary>True while the node has not closed it.</summary>
    public bool IsOpen => !session.Completion.IsCompleted;

    public async ValueTask DisposeAsync()
    {
        session.Abort();
        secure.Abort();
        await stream.DisposeAsync();
    }
}

/// <summary>
/// A real `nnrp node` as a public node runs: WITHOUT <c>--private-network</c>, so loopback
/// addresses get no exemption from the per-address caps, with cheap work and a /metrics
/// listener of its own (NNRP.md §12: not on the API port).
/// </summary>
internal sealed class PublicNode : IAsyncDisposable
{
    private readonly NnrpProcess _process;
    private readonly string _root;
    private readonly HttpClient _web = new() { Timeout = ConnectionAttack.WaitLimit };

    private PublicNode(NnrpProcess process, string root, Multiaddr address, string metrics)
    {
        _process = process;
        _root = root;
        Address = address;
        Metrics = metrics;
    }

    /// <summary><c>/ip4/127.0.0.1/tcp/…/p2p/…</c></summary>
    public Multiaddr Address { get; }

    public PeerId PeerId => PeerId.FromBytes(Address.PeerIdMultihash!.Value.Span);

    public IPEndPoint Endpoint => ConnectionAttack.EndpointOf(Address);

    public string Metrics { get; }

    public string Output => _process.Output;

    public static async Task<PublicNode> StartAsync()
    {
        string root = Directory.CreateTempSubdirectory("nnrp-connmgr-").FullName;
        NnrpProcess process = NnrpProcess.Start(
            "node", "--data-dir", Path.Combine(root, "data"), "--listen", "/ip4/127.0.0.1/tcp/0", "--http", "http://127.0.0.1:0",
            "--metrics", "http://127.0.0.1:0", "--base-threshold", Testnet.CheapThreshold, "--bootstrap-file", Path.Combine(root, "none.txt"));
        Multiaddr address = Multiaddr.Parse((await process.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value);
        string metrics = (await process.WaitForLineAsync(NnrpProcess.MetricsUrl())).Groups[1].Value;
        await process.WaitForLineAsync(NnrpProcess.DhtReady());
        return new PublicNode(process, root, address, metrics);
    }

    /// <summary>The value of gauge or counter <paramref name="name"/> (no labels) on /metrics.</summary>
    public async Task<double> MetricAsync(string name)
    {
        string text = await _web.GetStringAsync(Metrics + "/metrics");
        return PrometheusText.Values(text, name).First();
    }

    /// <summary>Publishes a cheap notification from an honest peer that then leaves; returns it.</summary>
    public async Task<Notification> PublishAsync()
    {
        await using Libp2pHost publisher = await HonestClientAsync();
        Notification stored = Testnet.Cheap();
        PublishResult result = await new NnrpClient(publisher).PublishAsync(Address, stored);
        return result.Status == Nnrp.Core.Protocol.StatusCode.Ok ? stored : throw new InvalidOperationException("publish refused: " + result.Message);
    }

    /// <summary>
    /// A fresh honest peer connects and fetches <paramref name="stored"/>'s mailbox: whether
    /// it came back, and how long connect + fetch took.
    /// </summary>
    public async Task<(bool Found, TimeSpan Elapsed)> HonestFetchAsync(Notification stored, CancellationToken cancellationToken)
    {
        await using Libp2pHost honest = await HonestClientAsync();
        var clock = Stopwatch.StartNew();
        NotificationPage page = await new NnrpClient(honest).FetchAsync(Address, FetchQuery.ForTag(stored.RecipientTag), cancellationToken);
        return (page.Notifications.Any(n => n.Hash == stored.Hash), clock.Elapsed);
    }

    /// <summary>An honest peer: a fresh key on 127.0.0.1.</summary>
    public static async Task<Libp2pHost> HonestClientAsync()
    {
        var client = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
        await client.StartAsync(CancellationToken.None);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _web.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
