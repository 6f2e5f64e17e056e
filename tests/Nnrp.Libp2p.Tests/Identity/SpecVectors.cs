namespace Nnrp.Libp2p.Tests.Identity;

/// <summary>Test vectors from libp2p/specs peer-ids/peer-ids.md ("Test vectors", "Decoding").</summary>
internal static class SpecVectors
{
    public static readonly byte[] Ed25519PrivateKey = Convert.FromHexString(
        "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");

    public static readonly byte[] Ed25519PublicKey = Convert.FromHexString(
        "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");

    public static readonly byte[] Secp256k1PrivateKey = Convert.FromHexString(
        "0802122053DADF1D5A164D6B4ACDB15E24AA4C5B1D3461BDBD42ABEDB0A4404D56CED8FB");

    public static readonly byte[] Secp256k1PublicKey = Convert.FromHexString(
        "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99");

    public static readonly byte[] EcdsaPublicKey = Convert.FromHexString(
        "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36ae0e8f5d530899d83abab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e9f77c409e62");

    public static readonly byte[] RsaPublicKeyPrefix = Convert.FromHexString("080012a604");

    /// <summary>The spec's three example ids; the first two are one sha2-256 id in its two text forms.</summary>
    public const string Sha256Cid = "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe";

    public const string Sha256Base58 = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";

    public const string Ed25519Base58 = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";

    // Ids of the key vectors above, computed independently (Python: multihash + base58btc).
    public const string Ed25519VectorPeerId = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

    public const string Secp256k1VectorPeerId = "16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY";

    public const string EcdsaVectorPeerId = "QmVMT29id3TUASyfZZ6k9hmNyc2nYabCo4uMSpDw4zrgDk";
}
