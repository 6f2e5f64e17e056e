namespace Nnrp.Libp2p.Kad;

/// <summary>
/// A Kad-DHT peer sent a message that breaks the wire rules or our limits (not protobuf, an
/// unknown type, a key or peer list over its bound, a peer id that is not a multihash). The
/// stream it came on is reset and the reason logged.
/// </summary>
public sealed class KadProtocolException(string message) : ProtocolViolationException(message);

/// <summary>
/// A PUT_VALUE/GET_VALUE record that no validator accepts: its namespace is not one NNRP
/// defines, or the namespace's validator refused it.
/// </summary>
public sealed class RecordRejectedException(string message) : ProtocolViolationException(message);

/// <summary>A remote peer answered a request with something that is not its answer, or not in time.</summary>
public sealed class KadRequestException : IOException
{
    public KadRequestException(string message) : base(message) { }

    public KadRequestException(string message, Exception inner) : base(message, inner) { }
}
