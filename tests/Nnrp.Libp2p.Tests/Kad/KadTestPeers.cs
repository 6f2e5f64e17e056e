using System.Security.Cryptography;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>Peers with random sha2-256 peer ids, optionally landing in a chosen bucket of a key.</summary>
internal static class KadTestPeers
{
    public static KadPeer Random(params string[] addresses)
    {
        var id = new byte[34];
        id[0] = 0x12;
        id[1] = 0x20;
        RandomNumberGenerator.Fill(id.AsSpan(2));
        return new KadPeer(id, addresses.Select(Multiaddr.Parse).ToArray());
    }

    /// <summary>A random peer whose key shares exactly <paramref name="prefixLength"/> bits with <paramref name="local"/>.</summary>
    public static KadPeer InBucket(KadKey local, int prefixLength)
    {
        while (true)
        {
            KadPeer peer = Random();
            if (local.CommonPrefixLength(peer.Key) == prefixLength)
            {
                return peer;
            }
        }
    }

    public static KadKey RandomKey()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return KadKey.FromDigest(bytes);
    }
}
