using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;

namespace Nnrp.Libp2p.Tests.Transport;

/// <summary>Loopback listener + dialer pairs for the TCP tests.</summary>
internal static class TcpTestSupport
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    public static TcpTransport NewTransport(TcpTransportOptions? options = null) =>
        new(options ?? new TcpTransportOptions(), NullLoggerFactory.Instance);

    /// <summary>A connected (dialer, listener-side) pair on 127.0.0.1.</summary>
    public static async Task<(ITransportConnection Client, ITransportConnection Server, ITransportListener Listener)> ConnectAsync(
        TcpTransport transport, string listenAddress = "/ip4/127.0.0.1/tcp/0")
    {
        ITransportListener listener = await transport.ListenAsync(Multiaddr.Parse(listenAddress), CancellationToken.None);
        ValueTask<ITransportConnection?> accept = listener.AcceptAsync(CancellationToken.None);
        ITransportConnection client = await transport.DialAsync(listener.ListenAddress, CancellationToken.None).WaitAsync(Generous);
        ITransportConnection server = (await accept.AsTask().WaitAsync(Generous))!;
        return (client, server, listener);
    }

    /// <summary>A loopback port nobody listens on (bound, read, released).</summary>
    public static int UnusedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>
    /// A loopback port whose accept queue is full, so further SYNs are dropped and a connect
    /// hangs until its timeout (Linux drops a SYN when the listen backlog is full). Stands in
    /// for an unroutable address, which a sandbox's transparent proxy may answer.
    /// </summary>
    public static async Task<StalledPort> StallPortAsync()
    {
        var stalled = new StalledPort();
        stalled.Listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stalled.Listener.Listen(1);
        var target = (IPEndPoint)stalled.Listener.LocalEndPoint!;
        for (int i = 0; i < 16; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            stalled.Clients.Add(client);
            try
            {
                await client.ConnectAsync(target).WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (TimeoutException)
            {
                return stalled; // this SYN was dropped: the queue is full
            }
        }
        throw new InvalidOperationException("the listen backlog never filled up");
    }

    public sealed class StalledPort : IDisposable
    {
        public Socket Listener { get; } = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        public List<Socket> Clients { get; } = [];

        public Multiaddr Address => Multiaddr.FromIPEndPoint((IPEndPoint)Listener.LocalEndPoint!);

        public void Dispose()
        {
            foreach (Socket client in Clients)
            {
                client.Dispose();
            }
            Listener.Dispose();
        }
    }

    public static async Task<byte[]> ReadToEndAsync(System.IO.Pipelines.PipeReader reader)
    {
        using var collected = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (ReadOnlyMemory<byte> segment in result.Buffer)
            {
                collected.Write(segment.Span);
            }
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return collected.ToArray();
            }
        }
    }
}

/// <summary>A test that needs the IPv6 loopback; skipped with the reason where ::1 cannot be bound.</summary>
public sealed class Ipv6LoopbackFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }
        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    });

    public Ipv6LoopbackFactAttribute()
    {
        if (!Available.Value)
        {
            Skip = "IPv6 loopback (::1) cannot be bound on this machine";
        }
    }
}
