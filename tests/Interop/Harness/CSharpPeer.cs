using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Perf;
using Nnrp.Libp2p.Ping;

namespace Nnrp.Interop.Harness;

/// <summary>Our host with identify, ping, perf and the interop echo protocol, on loopback.</summary>
public sealed class CSharpPeer : IAsyncDisposable
{
    public const string EchoProtocol = "/nnrp-interop/echo/1.0.0";

    private CSharpPeer(Libp2pHost host, ILoggerFactory loggers)
    {
        Host = host;
        Identify = new IdentifyService(host, loggers);
        Ping = new PingService(host);
        Perf = new PerfService(host);
    }

    public Libp2pHost Host { get; }

    public IdentifyService Identify { get; }

    public PingService Ping { get; }

    public PerfService Perf { get; }

    public Multiaddr DialAddress => Host.ListenAddresses[0].WithPeerIdMultihash(Host.PeerId.Bytes.Span);

    public static async Task<CSharpPeer> StartAsync(ILoggerFactory loggers, HostOptions? options = null, string listen = "/ip4/127.0.0.1/tcp/0")
    {
        // Every peer of a mixed network shares 127.0.0.1, the private-network case of NNRP.md
        // §14.1: without the exemption a js lookup's concurrent dials meet the per-address caps.
        options ??= new HostOptions
        {
            ListenAddresses = [Multiaddr.Parse(listen)],
            Limits = new ConnectionLimits { ExemptNetworks = ConnectionLimits.LoopbackNetworks },
        };
        var host = new Libp2pHost(KeyPair.Generate(), options, loggers);
        var peer = new CSharpPeer(host, loggers);
        peer.Identify.Start();
        peer.Ping.Start();
        peer.Perf.Start();
        host.SetStreamHandler(EchoProtocol, EchoAsync);
        await host.StartAsync(CancellationToken.None);
        return peer;
    }

    /// <summary>Sends <paramref name="size"/> random bytes on a fresh echo stream and checks that the same bytes return.</summary>
    public async Task EchoAsync(PeerId remote, int size, CancellationToken cancellationToken)
    {
        await using Libp2pStream stream = await Host.NewStreamAsync(remote, [EchoProtocol], cancellationToken);
        byte[] data = RandomNumberGenerator.GetBytes(size);
        Task<byte[]> back = ReadAllAsync(stream, size, cancellationToken);
        for (int offset = 0; offset < size; offset += 64 * 1024)
        {
            await stream.Output.WriteAsync(data.AsMemory(offset, Math.Min(64 * 1024, size - offset)), cancellationToken);
        }
        stream.CloseWrite();
        byte[] received = await back;
        if (received.Length != size || !SHA256.HashData(received).AsSpan().SequenceEqual(SHA256.HashData(data)))
        {
            throw new InvalidDataException($"echo of {size} bytes came back as {received.Length} different bytes");
        }
    }

    private static async Task<byte[]> ReadAllAsync(Libp2pStream stream, int expected, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream(expected);
        while (true)
        {
            var read = await stream.Input.ReadAsync(cancellationToken);
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                buffer.Write(segment.Span);
            }
            stream.Input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return buffer.ToArray();
            }
        }
    }

    private static async Task EchoAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        await stream.Input.CopyToAsync(stream.Output, cancellationToken);
        stream.CloseWrite();
    }

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
