namespace Nnrp.Libp2p.Yamux;

/// <summary>
/// Per-stream receive window (spec, "Flow Control"). The peer may send <see cref="Credit"/>
/// more data bytes; every byte the application consumes is returned to it with a window
/// update once half the window has been consumed (go-yamux and rust-yamux use the same
/// threshold, which keeps updates rare and the sender never idle). A slow reader consumes
/// nothing, so no update goes out and the sender stops: that is the backpressure.
/// <para>
/// Auto-tuning: when an update is due and every received byte has already been consumed, the
/// reader is waiting on the network, so the window rather than the reader limits throughput;
/// the window then doubles, up to the configured maximum. go-yamux decides the same from its
/// RTT estimate; the "buffer ran dry" test needs no clock and grows only for readers that keep up.
/// </para>
/// Not thread-safe: the stream guards it with its lock.
/// </summary>
internal struct ReceiveWindow
{
    private readonly int _max;
    private long _consumedSinceUpdate;

    public ReceiveWindow(int initialSize, int maxSize)
    {
        _max = maxSize;
        Size = initialSize;
        Credit = initialSize;
    }

    /// <summary>The window we currently grant the peer.</summary>
    public int Size { get; private set; }

    /// <summary>Data bytes the peer may still send before it must wait for an update.</summary>
    public long Credit { get; private set; }

    /// <summary>Received and not yet consumed by the application.</summary>
    public long Buffered { get; private set; }

    /// <summary>Accounts for an arriving data frame; false when it exceeds the window (a session error).</summary>
    public bool TryReceive(uint length)
    {
        if (length > Credit)
        {
            return false;
        }
        Credit -= length;
        Buffered += length;
        return true;
    }

    /// <summary>
    /// Accounts for bytes the application consumed; returns the window update delta to send
    /// now, or 0. The credit is granted at once (before the update is on the wire), which only
    /// makes us more lenient towards data already in flight.
    /// </summary>
    public uint Consume(long count)
    {
        Buffered -= count;
        _consumedSinceUpdate += count;
        if (_consumedSinceUpdate < Size / 2)
        {
            return 0;
        }
        long delta = _consumedSinceUpdate;
        if (Buffered == 0 && Size < _max)
        {
            int growth = Math.Min(Size, _max - Size);
            Size += growth;
            delta += growth;
        }
        _consumedSinceUpdate = 0;
        Credit += delta;
        return (uint)delta;
    }
}
