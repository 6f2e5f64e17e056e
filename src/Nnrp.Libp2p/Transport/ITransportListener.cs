using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Transport;

/// <summary>A bound, listening endpoint of a transport.</summary>
public interface ITransportListener : IAsyncDisposable
{
    /// <summary>The address actually bound: for <c>/tcp/0</c> it carries the port the system chose.</summary>
    Multiaddr ListenAddress { get; }

    /// <summary>The next inbound connection; null once the listener is disposed (also for a pending call).</summary>
    ValueTask<ITransportConnection?> AcceptAsync(CancellationToken cancellationToken);
}
