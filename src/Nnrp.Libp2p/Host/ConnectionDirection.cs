namespace Nnrp.Libp2p.Host;

public enum ConnectionDirection
{
    Inbound,
    Outbound,
}
