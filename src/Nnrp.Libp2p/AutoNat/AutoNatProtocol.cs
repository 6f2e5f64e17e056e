namespace Nnrp.Libp2p.AutoNat;

/// <summary>Protocol ids of AutoNAT v2 (libp2p/specs autonat/autonat-v2.md).</summary>
public static class AutoNatProtocol
{
    /// <summary>Client → server: one <c>DialRequest</c> per stream.</summary>
    public const string DialRequest = "/libp2p/autonat/2/dial-request";

    /// <summary>Server → client, on the fresh dial-back connection: the nonce.</summary>
    public const string DialBack = "/libp2p/autonat/2/dial-back";
}
