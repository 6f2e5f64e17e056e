using System.Buffers.Binary;
using NSec.Cryptography;
using Blake2b = Nnrp.Core.Hashing.Blake2b;

namespace Nnrp.Core.Keys;

/// <summary>
/// Notification keys: the X25519 key pair a wallet publishes (as the <c>nnrp:</c> URI in its
/// NanoNym) and opens its notifications with. Derived from the wallet seed so that a restore
/// from seed alone finds every notification (NNRP.md §9):
/// <code>
///   key_priv(index) = BLAKE2b-256(key = seed, data = "nnrp/notify/v1" ‖ index:u32 BE)
///   key_pub         = X25519(key_priv, 9)        (RFC 7748 clamping applies to key_priv)
/// </code>
/// </summary>
public static class NotificationKeys
{
    /// <summary>X25519 keys are 32 bytes.</summary>
    public const int KeySize = 32;

    /// <summary>Shortest seed accepted (128 bits).</summary>
    public const int MinSeedSize = 16;

    /// <summary>Longest seed accepted: the BLAKE2b key limit (a 64-byte BIP-39 seed fits).</summary>
    public const int MaxSeedSize = Blake2b.MaxKeySize;

    /// <summary>Domain separator before the index.</summary>
    public static ReadOnlySpan<byte> Domain => "nnrp/notify/v1"u8;

    /// <summary>The notification key pair number <paramref name="index"/> of <paramref name="seed"/>.</summary>
    public static NotificationKeyPair Derive(ReadOnlySpan<byte> seed, uint index)
    {
        if (seed.Length is < MinSeedSize or > MaxSeedSize)
        {
            throw new NnrpFormatException($"a seed is {MinSeedSize}..{MaxSeedSize} bytes, not {seed.Length}");
        }
        Span<byte> data = stackalloc byte[Domain.Length + 4];
        Domain.CopyTo(data);
        BinaryPrimitives.WriteUInt32BigEndian(data[Domain.Length..], index);
        var privateKey = new byte[KeySize];
        Blake2b.Hash(data, privateKey, seed);
        return NotificationKeyPair.FromPrivateKey(privateKey);
    }

    /// <summary>The X25519 public key of a 32-byte private key.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != KeySize)
        {
            throw new NnrpFormatException($"an X25519 private key is {KeySize} bytes, not {privateKey.Length}");
        }
        using var key = Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }
}

/// <summary>An X25519 notification key pair with its tag and URI.</summary>
public sealed class NotificationKeyPair
{
    private readonly byte[] _privateKey;
    private readonly byte[] _publicKey;

    private NotificationKeyPair(byte[] privateKey, byte[] publicKey)
    {
        _privateKey = privateKey;
        _publicKey = publicKey;
        Tag = RecipientTag.FromNotificationKey(publicKey);
    }

    /// <summary>A pair from a 32-byte X25519 private key (copied).</summary>
    public static NotificationKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        new(privateKey.ToArray(), NotificationKeys.PublicKeyOf(privateKey));

    /// <summary>The 32-byte private key (keep it secret).</summary>
    public ReadOnlySpan<byte> PrivateKey => _privateKey;

    /// <summary>The 32-byte public key senders seal to.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    /// <summary>The mailbox this key receives in.</summary>
    public RecipientTag Tag { get; }

    /// <summary>The <c>nnrp:</c> URI of the public key (no relay hints).</summary>
    public Codecs.NotificationUri ToUri() => new(_publicKey, []);
}
