namespace Nnrp.Libp2p.WebSockets;

/// <summary>
/// The peer broke an RFC 6455 framing rule; the connection answers with a Close frame
/// carrying <see cref="CloseStatus"/> (RFC 6455 §7.4.1) and ends.
/// </summary>
public sealed class WebSocketProtocolException(ushort closeStatus, string message)
    : ProtocolViolationException("WebSocket: " + message)
{
    public ushort CloseStatus { get; } = closeStatus;
}

/// <summary>
/// The HTTP/1.1 upgrade failed: the request or response was malformed, too large, not a
/// WebSocket upgrade, or late. On the server side <see cref="HttpStatus"/> is the answer sent
/// before closing (0: none, the peer gets only a close).
/// </summary>
public sealed class WebSocketUpgradeException(int httpStatus, string message)
    : ProtocolViolationException("WebSocket upgrade: " + message)
{
    public int HttpStatus { get; } = httpStatus;
}
