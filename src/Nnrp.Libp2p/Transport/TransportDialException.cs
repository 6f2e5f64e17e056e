using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Transport;

/// <summary>A dial failed: the name did not resolve, every address refused or was unreachable, or the dial timed out.</summary>
public sealed class TransportDialException : IOException
{
    public TransportDialException(Multiaddr address, string reason)
        : base($"dial {address} failed: {reason}")
    {
        Address = address;
        Reason = reason;
    }

    public TransportDialException(Multiaddr address, string reason, Exception inner)
        : base($"dial {address} failed: {reason}", inner)
    {
        Address = address;
        Reason = reason;
    }

    public Multiaddr Address { get; }

    public string Reason { get; }
}
