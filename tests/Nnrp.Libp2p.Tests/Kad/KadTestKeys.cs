using System.Security.Cryptography;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>
/// Provider keys for the DHT's own tests: 34-byte sha2-256 multihashes, the shape a CID's
/// wire key takes (Kad-DHT "Content provider advertisement"). The libp2p layer knows no NNRP
/// shard names, so neither do its tests.
/// </summary>
internal static class KadTestKeys
{
    public static byte[] Key(int group, uint index)
    {
        var key = new byte[34];
        key[0] = 0x12;
        key[1] = 0x20;
        SHA256.HashData(System.Text.Encoding.ASCII.GetBytes($"kad-test/{group}/{index}"), key.AsSpan(2));
        return key;
    }
}
