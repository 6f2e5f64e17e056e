using System.IO.Pipelines;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Transport;

/// <summary>
/// A raw, not yet secured connection of some transport (TCP, WebSocket) as a pair of pipes.
/// The host runs multistream-select, Noise and Yamux over it without knowing which one it is.
/// </summary>
public interface ITransportConnection : IDuplexPipe, IAsyncDisposable
{
    /// <summary>Our end, e.g. <c>/ip4/…/tcp/port</c> or <c>/ip4/…/tcp/port/ws</c>.</summary>
    Multiaddr LocalAddress { get; }

    /// <summary>The peer's end as the socket sees it (never a DNS name or /p2p), in the transport's form.</summary>
    Multiaddr RemoteAddress { get; }

    /// <summary>Completes when the connection's loops have ended; never faults.</summary>
    Task Completion { get; }

    /// <summary>
    /// The caps a third party puts on this connection's time and bytes: a relayed circuit's
    /// (libp2p/specs relay/circuit-v2.md "Limit"). Null for a direct transport.
    /// </summary>
    Relay.CircuitLimit? Limit => null;

    /// <summary>Closes at once (TCP reset); unsent output is dropped.</summary>
    void Abort();
}
