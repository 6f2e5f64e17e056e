using System.Security.Cryptography;
using NSec.Cryptography;

namespace Nnrp.Libp2p.Identity;

/// <summary>
/// The node's Ed25519 identity key pair (DESIGN.md: node identity is Ed25519). Stored on disk
/// as a libp2p <c>PrivateKey</c> protobuf whose Data is <c>seed(32) ‖ public(32)</c>, the
/// format go-libp2p and js-libp2p write (peer-ids.md "Ed25519"), so keys move between them.
/// </summary>
public sealed class KeyPair : IDisposable
{
    public const int SeedLength = 32;

    /// <summary>peer-ids.md: the preferred private key Data is private ‖ public (64 bytes).</summary>
    private const int PrivateDataLength = SeedLength + Ed25519PublicKey.KeyLength;

    /// <summary>peer-ids.md: older libp2p wrote private ‖ public ‖ public (96 bytes); accepted when both copies agree.</summary>
    private const int LegacyPrivateDataLength = PrivateDataLength + Ed25519PublicKey.KeyLength;

    private readonly Key _key;

    private KeyPair(Key key)
    {
        _key = key;
        PublicKey = new Ed25519PublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
        PeerId = PeerId.FromPublicKey(PublicKey);
    }

    public PublicKey PublicKey { get; }

    public PeerId PeerId { get; }

    public static KeyPair Generate() => new(Key.Create(SignatureAlgorithm.Ed25519, Exportable()));

    /// <summary>The RFC 8032 private key is the 32-byte seed itself.</summary>
    public static KeyPair FromSeed(ReadOnlySpan<byte> seed32)
    {
        if (seed32.Length != SeedLength)
        {
            throw new ArgumentException($"an Ed25519 seed is {SeedLength} bytes", nameof(seed32));
        }
        return new(Key.Import(SignatureAlgorithm.Ed25519, seed32, KeyBlobFormat.RawPrivateKey, Exportable()));
    }

    /// <summary>
    /// Reads a libp2p <c>PrivateKey</c> protobuf. Only Ed25519 is implemented; other types throw
    /// <see cref="UnsupportedKeyTypeException"/>, malformed input <see cref="ProtocolViolationException"/>.
    /// </summary>
    public static KeyPair FromPrivateKeyProtobuf(ReadOnlySpan<byte> bytes)
    {
        var (type, data) = KeyProtobuf.Read(bytes, "private key");
        try
        {
            if (type != KeyType.Ed25519)
            {
                throw new UnsupportedKeyTypeException(type, "only Ed25519 identity keys can be loaded");
            }
            if (data.Length == LegacyPrivateDataLength
                && !data.AsSpan(PrivateDataLength).SequenceEqual(data.AsSpan(SeedLength, Ed25519PublicKey.KeyLength)))
            {
                throw new ProtocolViolationException("legacy 96-byte Ed25519 private key holds two different public keys");
            }
            if (data.Length != PrivateDataLength && data.Length != LegacyPrivateDataLength)
            {
                throw new ProtocolViolationException($"Ed25519 private key Data is {data.Length} bytes, expected {PrivateDataLength}");
            }
            var pair = FromSeed(data.AsSpan(0, SeedLength));
            if (!pair.PublicKey.Raw.Span.SequenceEqual(data.AsSpan(SeedLength, Ed25519PublicKey.KeyLength)))
            {
                pair.Dispose();
                throw new ProtocolViolationException("Ed25519 private key Data holds a public key that does not belong to its seed");
            }
            return pair;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>libp2p <c>PrivateKey</c> protobuf, Data = seed ‖ public key (64 bytes).</summary>
    public byte[] ToPrivateKeyProtobuf()
    {
        Span<byte> data = stackalloc byte[PrivateDataLength];
        try
        {
            if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, data, out int written) || written != SeedLength)
            {
                throw new CryptographicException("the Ed25519 seed could not be exported");
            }
            PublicKey.Raw.Span.CopyTo(data[SeedLength..]);
            return KeyProtobuf.Write(KeyType.Ed25519, data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> data) => SignatureAlgorithm.Ed25519.Sign(_key, data);

    /// <summary>
    /// Loads the key at <paramref name="path"/>, or creates one there (see <see cref="KeyFile"/>):
    /// owner-only permissions, written atomically, refused when group or others can read it.
    /// </summary>
    public static KeyPair LoadOrCreate(string path) => KeyFile.LoadOrCreate(path);

    /// <summary>
    /// Loads the existing key at <paramref name="path"/> without ever creating one (offline
    /// tools such as <c>nnrp id</c>); <see cref="FileNotFoundException"/> when there is none.
    /// </summary>
    public static KeyPair Load(string path) => KeyFile.Load(Path.GetFullPath(path));

    public void Dispose() => _key.Dispose();

    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}
