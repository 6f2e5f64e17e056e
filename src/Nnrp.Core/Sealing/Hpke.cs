using System.Buffers.Binary;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Nnrp.Core.Sealing;

/// <summary>
/// HPKE (RFC 9180) for the one suite NNRP uses, in base mode:
/// DHKEM(X25519, HKDF-SHA256) = 0x0020, HKDF-SHA256 = 0x0001, ChaCha20-Poly1305 = 0x0003.
/// X25519 and the AEAD come from NSec (libsodium); HKDF from the .NET base library.
/// </summary>
public static class Hpke
{
    /// <summary>RFC 9180 §7.1: KEM id of DHKEM(X25519, HKDF-SHA256).</summary>
    public const ushort KemId = 0x0020;

    /// <summary>RFC 9180 §7.2: KDF id of HKDF-SHA256.</summary>
    public const ushort KdfId = 0x0001;

    /// <summary>RFC 9180 §7.3: AEAD id of ChaCha20Poly1305.</summary>
    public const ushort AeadId = 0x0003;

    /// <summary>Nenc = Npk = Nsk = Nsecret = 32 for this KEM.</summary>
    public const int EncSize = 32;

    /// <summary>Nk = 32, Nn = 12, Nt = 16 for ChaCha20Poly1305.</summary>
    public const int KeySize = 32, NonceSize = 12, TagSize = 16;

    /// <summary>Nh = 32 for HKDF-SHA256.</summary>
    private const int Nh = 32;

    private const byte ModeBase = 0x00;

    // suite_id = "KEM" ‖ I2OSP(kem_id, 2) for the KEM; "HPKE" ‖ kem ‖ kdf ‖ aead for the rest (§4.1, §5.1).
    private static ReadOnlySpan<byte> KemSuiteId => [(byte)'K', (byte)'E', (byte)'M', 0x00, 0x20];

    private static ReadOnlySpan<byte> HpkeSuiteId => [(byte)'H', (byte)'P', (byte)'K', (byte)'E', 0x00, 0x20, 0x00, 0x01, 0x00, 0x03];

    /// <summary>RFC 9180 §7.1.3: the X25519 private key DeriveKeyPair(ikm) yields.</summary>
    public static byte[] DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        Span<byte> prk = stackalloc byte[Nh];
        LabeledExtract(KemSuiteId, [], "dkp_prk"u8, ikm, prk);
        var sk = new byte[32];
        LabeledExpand(KemSuiteId, prk, "sk"u8, [], sk);
        return sk;
    }

    /// <summary>
    /// RFC 9180 §5.1.1 SetupBaseS with a caller-chosen ephemeral private key (Encap with a
    /// fixed skE is what the RFC's test vectors pin). Normal callers use <see cref="SetupBaseS(ReadOnlySpan{byte}, ReadOnlySpan{byte}, out byte[])"/>.
    /// </summary>
    public static HpkeContext SetupBaseS(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> ephemeralPrivateKey, out byte[] enc)
    {
        using Key skE = ImportPrivate(ephemeralPrivateKey);
        enc = skE.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        Span<byte> dh = stackalloc byte[32];
        Agree(skE, recipientPublicKey, dh);
        Span<byte> kemContext = stackalloc byte[64];
        enc.CopyTo(kemContext);
        recipientPublicKey.CopyTo(kemContext[32..]);
        Span<byte> sharedSecret = stackalloc byte[32];
        ExtractAndExpand(dh, kemContext, sharedSecret);
        CryptographicOperations.ZeroMemory(dh);
        return KeySchedule(sharedSecret, info);
    }

    /// <summary>RFC 9180 §5.1.1 SetupBaseS with a fresh random ephemeral key.</summary>
    public static HpkeContext SetupBaseS(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, out byte[] enc)
    {
        Span<byte> skE = stackalloc byte[32];
        RandomNumberGenerator.Fill(skE);
        try
        {
            return SetupBaseS(recipientPublicKey, info, skE, out enc);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(skE);
        }
    }

    /// <summary>RFC 9180 §5.1.1 SetupBaseR: the recipient's context for <paramref name="enc"/>.</summary>
    public static HpkeContext SetupBaseR(ReadOnlySpan<byte> enc, ReadOnlySpan<byte> recipientPrivateKey, ReadOnlySpan<byte> info)
    {
        if (enc.Length != EncSize)
        {
            throw new SealingException($"enc is {EncSize} bytes, not {enc.Length}");
        }
        using Key skR = ImportPrivate(recipientPrivateKey);
        Span<byte> dh = stackalloc byte[32];
        Agree(skR, enc, dh);
        Span<byte> kemContext = stackalloc byte[64];
        enc.CopyTo(kemContext);
        skR.PublicKey.Export(KeyBlobFormat.RawPublicKey).CopyTo(kemContext[32..]);
        Span<byte> sharedSecret = stackalloc byte[32];
        ExtractAndExpand(dh, kemContext, sharedSecret);
        CryptographicOperations.ZeroMemory(dh);
        return KeySchedule(sharedSecret, info);
    }

    /// <summary>RFC 9180 §4.1 ExtractAndExpand of DHKEM: the KEM shared secret (exposed for the vector tests).</summary>
    internal static void ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> kemContext, Span<byte> sharedSecret)
    {
        Span<byte> prk = stackalloc byte[Nh];
        LabeledExtract(KemSuiteId, [], "eae_prk"u8, dh, prk);
        LabeledExpand(KemSuiteId, prk, "shared_secret"u8, kemContext, sharedSecret);
    }

    /// <summary>RFC 9180 §5.1 KeySchedule for mode_base (empty psk and psk_id).</summary>
    internal static HpkeContext KeySchedule(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info)
    {
        // key_schedule_context = mode ‖ psk_id_hash ‖ info_hash
        Span<byte> context = stackalloc byte[1 + Nh + Nh];
        context[0] = ModeBase;
        LabeledExtract(HpkeSuiteId, [], "psk_id_hash"u8, [], context.Slice(1, Nh));
        LabeledExtract(HpkeSuiteId, [], "info_hash"u8, info, context.Slice(1 + Nh, Nh));
        Span<byte> secret = stackalloc byte[Nh];
        LabeledExtract(HpkeSuiteId, sharedSecret, "secret"u8, [], secret);
        var key = new byte[KeySize];
        var baseNonce = new byte[NonceSize];
        var exporterSecret = new byte[Nh];
        LabeledExpand(HpkeSuiteId, secret, "key"u8, context, key);
        LabeledExpand(HpkeSuiteId, secret, "base_nonce"u8, context, baseNonce);
        LabeledExpand(HpkeSuiteId, secret, "exp"u8, context, exporterSecret);
        CryptographicOperations.ZeroMemory(secret);
        return new HpkeContext(key, baseNonce, exporterSecret);
    }

    /// <summary>RFC 9180 §4: LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm).</summary>
    internal static void LabeledExtract(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        ReadOnlySpan<byte> version = "HPKE-v1"u8;
        byte[] labeled = new byte[version.Length + suiteId.Length + label.Length + ikm.Length];
        var w = labeled.AsSpan();
        version.CopyTo(w); w = w[version.Length..];
        suiteId.CopyTo(w); w = w[suiteId.Length..];
        label.CopyTo(w); w = w[label.Length..];
        ikm.CopyTo(w);
        HKDF.Extract(HashAlgorithmName.SHA256, labeled, salt, prk);
        CryptographicOperations.ZeroMemory(labeled);
    }

    /// <summary>RFC 9180 §4: LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L).</summary>
    internal static void LabeledExpand(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, Span<byte> output)
    {
        ReadOnlySpan<byte> version = "HPKE-v1"u8;
        byte[] labeled = new byte[2 + version.Length + suiteId.Length + label.Length + info.Length];
        var w = labeled.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(w, (ushort)output.Length); w = w[2..];
        version.CopyTo(w); w = w[version.Length..];
        suiteId.CopyTo(w); w = w[suiteId.Length..];
        label.CopyTo(w); w = w[label.Length..];
        info.CopyTo(w);
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, labeled);
    }

    private static Key ImportPrivate(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new SealingException($"an X25519 private key is 32 bytes, not {privateKey.Length}");
        }
        return Key.Import(KeyAgreementAlgorithm.X25519, privateKey, KeyBlobFormat.RawPrivateKey);
    }

    private static void Agree(Key privateKey, ReadOnlySpan<byte> peerPublicKey, Span<byte> dh)
    {
        if (peerPublicKey.Length != 32)
        {
            throw new SealingException($"an X25519 public key is 32 bytes, not {peerPublicKey.Length}");
        }
        if (!PublicKey.TryImport(KeyAgreementAlgorithm.X25519, peerPublicKey, KeyBlobFormat.RawPublicKey, out PublicKey? peer) || peer is null)
        {
            throw new SealingException("not an X25519 public key");
        }
        // RFC 9180 §7.1.4: an all-zero DH output (small-order peer key) must be refused;
        // libsodium refuses it, and NSec returns null.
        using SharedSecret? shared = KeyAgreementAlgorithm.X25519.Agree(privateKey, peer,
            new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        if (shared is null)
        {
            throw new SealingException("X25519 produced the all-zero shared secret (small-order public key)");
        }
        if (!shared.TryExport(SharedSecretBlobFormat.RawSharedSecret, dh, out int written) || written != 32)
        {
            throw new SealingException("X25519 shared secret could not be read");
        }
    }
}

/// <summary>
/// An HPKE encryption context (RFC 9180 §5.2): key, base nonce, sequence number, exporter secret.
/// Not thread-safe; one context per message stream.
/// </summary>
public sealed class HpkeContext : IDisposable
{
    private readonly Key _key;
    private readonly byte[] _baseNonce;
    private readonly byte[] _exporterSecret;
    private readonly byte[] _rawKey;
    private ulong _sequence;

    internal HpkeContext(byte[] key, byte[] baseNonce, byte[] exporterSecret)
    {
        _rawKey = key;
        _key = Key.Import(AeadAlgorithm.ChaCha20Poly1305, key, KeyBlobFormat.RawSymmetricKey);
        _baseNonce = baseNonce;
        _exporterSecret = exporterSecret;
    }

    /// <summary>The AEAD key (for the vector tests).</summary>
    internal ReadOnlySpan<byte> AeadKey => _rawKey;

    /// <summary>The base nonce (for the vector tests).</summary>
    internal ReadOnlySpan<byte> BaseNonce => _baseNonce;

    /// <summary>The exporter secret (for the vector tests).</summary>
    internal ReadOnlySpan<byte> ExporterSecret => _exporterSecret;

    /// <summary>RFC 9180 §5.2 ContextS.Seal: ciphertext ‖ tag of <paramref name="plaintext"/>.</summary>
    public byte[] Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + Hpke.TagSize];
        Seal(associatedData, plaintext, output);
        return output;
    }

    /// <summary>Seals into <paramref name="ciphertext"/> (plaintext length + 16 bytes).</summary>
    public void Seal(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> nonce = stackalloc byte[Hpke.NonceSize];
        NextNonce(nonce);
        AeadAlgorithm.ChaCha20Poly1305.Encrypt(_key, nonce, associatedData, plaintext, ciphertext);
    }

    /// <summary>RFC 9180 §5.2 ContextR.Open.</summary>
    /// <exception cref="SealingException">authentication failed.</exception>
    public byte[] Open(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext)
    {
        if (ciphertext.Length < Hpke.TagSize)
        {
            throw new SealingException("ciphertext is shorter than the AEAD tag");
        }
        var plaintext = new byte[ciphertext.Length - Hpke.TagSize];
        Span<byte> nonce = stackalloc byte[Hpke.NonceSize];
        NextNonce(nonce);
        if (!AeadAlgorithm.ChaCha20Poly1305.Decrypt(_key, nonce, associatedData, ciphertext, plaintext))
        {
            throw new SealingException("payload does not open: wrong key or tampered data");
        }
        return plaintext;
    }

    /// <summary>RFC 9180 §5.3 Export(exporter_context, L).</summary>
    public byte[] Export(ReadOnlySpan<byte> exporterContext, int length)
    {
        var output = new byte[length];
        Hpke.LabeledExpand([(byte)'H', (byte)'P', (byte)'K', (byte)'E', 0x00, 0x20, 0x00, 0x01, 0x00, 0x03], _exporterSecret, "sec"u8, exporterContext, output);
        return output;
    }

    public void Dispose()
    {
        _key.Dispose();
        CryptographicOperations.ZeroMemory(_rawKey);
        CryptographicOperations.ZeroMemory(_exporterSecret);
    }

    // RFC 9180 §5.2 ComputeNonce: base_nonce XOR I2OSP(seq, Nn), then IncrementSeq.
    private void NextNonce(Span<byte> nonce)
    {
        if (_sequence == ulong.MaxValue)
        {
            throw new SealingException("HPKE message limit reached");
        }
        _baseNonce.CopyTo(nonce);
        Span<byte> seq = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(seq, _sequence);
        for (int i = 0; i < 8; i++)
        {
            nonce[Hpke.NonceSize - 8 + i] ^= seq[i];
        }
        _sequence++;
    }
}
