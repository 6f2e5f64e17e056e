namespace Nnrp.Libp2p;

/// <summary>
/// The remote peer broke a wire rule (malformed frame, over a limit, wrong handshake). The
/// layer that catches it closes the stream or connection the rule belongs to and logs the
/// message; it never indicates a bug on our side.
/// </summary>
public class ProtocolViolationException : IOException
{
    public ProtocolViolationException(string message) : base(message) { }

    public ProtocolViolationException(string message, Exception inner) : base(message, inner) { }
}
