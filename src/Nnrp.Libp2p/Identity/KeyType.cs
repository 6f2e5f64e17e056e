namespace Nnrp.Libp2p.Identity;

/// <summary>
/// libp2p key types (peer-ids/peer-ids.md "Key Types"); the values are the protobuf enum
/// numbers and go on the wire.
/// </summary>
public enum KeyType
{
    Rsa = 0,
    Ed25519 = 1,
    Secp256k1 = 2,
    Ecdsa = 3,
}
