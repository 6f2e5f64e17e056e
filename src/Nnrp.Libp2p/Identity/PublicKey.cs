namespace Nnrp.Libp2p.Identity;

/// <summary>
/// A libp2p public identity key (peer-ids/peer-ids.md "Keys"). <see cref="Raw"/> is the
/// type-specific <c>Data</c> field; <see cref="ToProtobuf"/> is the deterministic encoding
/// that peer ids hash and that Noise carries in its handshake payload.
/// </summary>
public abstract class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _raw;

    private protected PublicKey(byte[] raw)
    {
        _raw = raw;
    }

    public abstract KeyType Type { get; }

    public ReadOnlyMemory<byte> Raw => _raw;

    /// <summary>True when <paramref name="signature"/> is this key's signature over <paramref name="data"/>.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);

    public byte[] ToProtobuf() => KeyProtobuf.Write(Type, _raw);

    /// <summary>
    /// Decodes a <c>PublicKey</c> message. Throws <see cref="UnsupportedKeyTypeException"/> for
    /// RSA and ECDSA keys and <see cref="ProtocolViolationException"/> for malformed input.
    /// </summary>
    public static PublicKey FromProtobuf(ReadOnlySpan<byte> bytes)
    {
        var (type, data) = KeyProtobuf.Read(bytes, "public key");
        return type switch
        {
            KeyType.Ed25519 => new Ed25519PublicKey(data),
            KeyType.Secp256k1 => new Secp256k1PublicKey(data),
            _ => throw new UnsupportedKeyTypeException(type, "only Ed25519 and secp256k1 public keys are implemented"),
        };
    }

    public bool Equals(PublicKey? other) =>
        other is not null && other.Type == Type && other._raw.AsSpan().SequenceEqual(_raw);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.AddBytes(_raw);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Type}:{Convert.ToHexStringLower(_raw)}";
}
