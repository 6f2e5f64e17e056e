using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Transport;

/// <summary>Transport log events, ids 100–199.</summary>
internal static partial class Log
{
    // The host reports listening at Information; the transport line is for debugging.
    [LoggerMessage(100, LogLevel.Debug, "Listening on {Address}")]
    public static partial void Listening(ILogger logger, Multiaddr address);

    [LoggerMessage(101, LogLevel.Information, "Stopped listening on {Address}")]
    public static partial void ListenerStopped(ILogger logger, Multiaddr address);

    [LoggerMessage(102, LogLevel.Debug, "Accepted connection from {Remote} on {Local}")]
    public static partial void Accepted(ILogger logger, Multiaddr remote, Multiaddr local);

    [LoggerMessage(103, LogLevel.Debug, "Inbound connection on {Address} was gone before accept: {Error}")]
    public static partial void AcceptAborted(ILogger logger, Multiaddr address, SocketError error);

    [LoggerMessage(104, LogLevel.Debug, "Dialing {Address}")]
    public static partial void Dialing(ILogger logger, Multiaddr address);

    [LoggerMessage(105, LogLevel.Debug, "Dial of {Address} via {Endpoint} failed: {Error}")]
    public static partial void DialAttemptFailed(ILogger logger, Multiaddr address, string endpoint, SocketError error);

    [LoggerMessage(106, LogLevel.Debug, "Connected to {Remote} from {Local}")]
    public static partial void Connected(ILogger logger, Multiaddr remote, Multiaddr local);

    [LoggerMessage(107, LogLevel.Debug, "Dial of {Address} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, Multiaddr address, string reason);

    [LoggerMessage(108, LogLevel.Debug, "Connection to {Remote} was reset by the peer")]
    public static partial void ConnectionReset(ILogger logger, Multiaddr remote);

    [LoggerMessage(109, LogLevel.Debug, "Sending to {Remote} failed: {Error}")]
    public static partial void SendFailed(ILogger logger, Multiaddr remote, SocketError error);

    [LoggerMessage(110, LogLevel.Debug, "Connection to {Remote} aborted locally")]
    public static partial void Aborted(ILogger logger, Multiaddr remote);

    [LoggerMessage(111, LogLevel.Debug, "Connection to {Remote} did not drain within {Timeout}; aborting")]
    public static partial void CloseTimedOut(ILogger logger, Multiaddr remote, TimeSpan timeout);
}
