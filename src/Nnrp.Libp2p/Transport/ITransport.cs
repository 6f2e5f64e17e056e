using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Transport;

/// <summary>
/// A way to reach peers, chosen by the host per multiaddr (libp2p/specs connections/README.md:
/// a transport yields raw connections that the host upgrades).
/// </summary>
public interface ITransport
{
    /// <summary>Whether <paramref name="address"/> (optionally ending in <c>/p2p/…</c>) is one this transport dials.</summary>
    bool CanDial(Multiaddr address);

    /// <summary>Whether this transport binds <paramref name="address"/>.</summary>
    bool CanListen(Multiaddr address);

    Task<ITransportListener> ListenAsync(Multiaddr address, CancellationToken cancellationToken);

    /// <summary>Connects; failures throw <see cref="TransportDialException"/>, cancellation <see cref="OperationCanceledException"/>.</summary>
    Task<ITransportConnection> DialAsync(Multiaddr address, CancellationToken cancellationToken);
}
