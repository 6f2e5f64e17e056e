using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Noise;

/// <summary>Noise log events, ids 200–299.</summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Debug, "Noise handshake completed as {Role} with {RemotePeer} in {ElapsedMs:F2} ms")]
    public static partial void HandshakeCompleted(ILogger logger, string role, PeerId remotePeer, double elapsedMs);

    [LoggerMessage(201, LogLevel.Debug, "Noise handshake failed as {Role}: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string role, string reason);

    [LoggerMessage(210, LogLevel.Debug, "Secure channel with {RemotePeer} failed: {Reason}")]
    public static partial void ChannelFailed(ILogger logger, PeerId remotePeer, string reason);

    [LoggerMessage(211, LogLevel.Trace, "Secure channel with {RemotePeer} closed")]
    public static partial void ChannelClosed(ILogger logger, PeerId remotePeer);
}
