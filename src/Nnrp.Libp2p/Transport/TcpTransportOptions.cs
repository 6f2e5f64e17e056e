namespace Nnrp.Libp2p.Transport;

/// <summary>Settings of <see cref="TcpTransport"/>; the defaults suit a public node.</summary>
public sealed class TcpTransportOptions
{
    /// <summary>Budget for one dial: name resolution and every connect attempt together.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// TCP_NODELAY. On: libp2p writes whole frames (Noise, Yamux) and flushes deliberately,
    /// so Nagle only adds latency to small control frames.
    /// </summary>
    public bool NoDelay { get; init; } = true;

    /// <summary>Pending-connection queue of a listener (Kestrel uses 512 as well).</summary>
    public int ListenBacklog { get; init; } = 512;

    /// <summary>SO_RCVBUF; null leaves the operating system's (auto-tuned) default.</summary>
    public int? ReceiveBufferSize { get; init; }

    /// <summary>SO_SNDBUF; null leaves the operating system's (auto-tuned) default.</summary>
    public int? SendBufferSize { get; init; }

    /// <summary>
    /// Bytes a connection buffers in each direction before it stops reading the socket (so
    /// TCP flow control pushes back on the peer) or stalls the writer's FlushAsync.
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 1024 * 1024;
}
