using NSec.Cryptography;
using NSecPublicKey = NSec.Cryptography.PublicKey;

namespace Nnrp.Libp2p.Identity;

/// <summary>
/// Ed25519 public key (peer-ids/peer-ids.md "Ed25519"): <c>Data</c> is the 32-byte RFC 8032
/// key with no extra encoding; signatures are plain RFC 8032 signatures.
/// </summary>
public sealed class Ed25519PublicKey : PublicKey
{
    public const int KeyLength = 32;

    public const int SignatureLength = 64;

    private readonly NSecPublicKey _key;

    public Ed25519PublicKey(ReadOnlySpan<byte> raw) : base(raw.ToArray())
    {
        if (raw.Length != KeyLength)
        {
            throw new ProtocolViolationException($"an Ed25519 public key is {KeyLength} bytes, not {raw.Length}");
        }
        if (!NSecPublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out NSecPublicKey? key))
        {
            throw new ProtocolViolationException("not a valid Ed25519 public key");
        }
        _key = key!;
    }

    public override KeyType Type => KeyType.Ed25519;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureLength && SignatureAlgorithm.Ed25519.Verify(_key, data, signature);
}
