namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// The pubsub protocol a peer agreed on for its stream with us. Features gate on it:
/// PX and the PRUNE backoff field need v1.1 (gossipsub-v1.1.md "Protocol Id"), IDONTWANT needs
/// v1.2 (gossipsub-v1.2.md "Protocol Id"); floodsub peers only get messages (pubsub/README.md).
/// </summary>
public enum GossipProtocol
{
    Floodsub,
    Meshsub10,
    Meshsub11,
    Meshsub12,
}

public static class GossipProtocolIds
{
    public const string Meshsub12 = "/meshsub/1.2.0";
    public const string Meshsub11 = "/meshsub/1.1.0";
    public const string Meshsub10 = "/meshsub/1.0.0";
    public const string Floodsub = "/floodsub/1.0.0";

    /// <summary>What we propose when opening a stream, best first.</summary>
    public static IReadOnlyList<string> Preference { get; } = [Meshsub12, Meshsub11, Meshsub10, Floodsub];

    public static GossipProtocol Parse(string protocolId) =>
        TryParse(protocolId, out GossipProtocol protocol) ? protocol : throw new ArgumentException($"'{protocolId}' is not a pubsub protocol id", nameof(protocolId));

    public static bool TryParse(string protocolId, out GossipProtocol protocol)
    {
        switch (protocolId)
        {
            case Meshsub12: protocol = GossipProtocol.Meshsub12; return true;
            case Meshsub11: protocol = GossipProtocol.Meshsub11; return true;
            case Meshsub10: protocol = GossipProtocol.Meshsub10; return true;
            case Floodsub: protocol = GossipProtocol.Floodsub; return true;
            default: protocol = default; return false;
        }
    }

    internal static bool IsGossip(this GossipProtocol protocol) => protocol != GossipProtocol.Floodsub;

    internal static bool SupportsPeerExchange(this GossipProtocol protocol) => protocol >= GossipProtocol.Meshsub11;

    internal static bool SupportsIDontWant(this GossipProtocol protocol) => protocol >= GossipProtocol.Meshsub12;
}
