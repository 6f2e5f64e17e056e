namespace Nnrp.Libp2p.Yamux;

/// <summary>
/// The peer broke a session-level yamux rule (bad version or type, data beyond the receive
/// window, a SYN for an open stream). The session answers with Go Away "protocol error" and
/// closes; <see cref="YamuxSession.Completion"/> faults with this exception.
/// </summary>
public sealed class YamuxProtocolException(string message) : ProtocolViolationException(message);

/// <summary>The session has ended, was told to go away, or never answered a keep-alive ping.</summary>
public class YamuxSessionClosedException : IOException
{
    public YamuxSessionClosedException(string message) : base(message) { }

    public YamuxSessionClosedException(string message, Exception? inner) : base(message, inner) { }
}

/// <summary>A stream was reset (RST flag) by the peer or locally; both directions have failed.</summary>
public sealed class YamuxStreamResetException(uint streamId, bool byRemote)
    : IOException(byRemote ? $"yamux stream {streamId} was reset by the peer" : $"yamux stream {streamId} was reset locally")
{
    public uint StreamId { get; } = streamId;

    public bool ByRemote { get; } = byRemote;
}
