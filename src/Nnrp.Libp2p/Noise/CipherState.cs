using System.Buffers.Binary;
using NSec.Cryptography;

namespace Nnrp.Libp2p.Noise;

/// <summary>
/// Noise rev 34 §5.1 CipherState with the ChaChaPoly functions of §12.3: key k, nonce counter
/// n, AEAD ChaCha20-Poly1305 (RFC 8439) whose 96-bit nonce is 32 zero bits followed by n as a
/// little-endian 64-bit integer. Without a key, encryption is the identity (handshake start).
/// Ciphertext may occupy the same memory as the plaintext (encryption in place).
/// <para>
/// Two implementations of the same AEAD: the platform's (OpenSSL through
/// <see cref="System.Security.Cryptography.ChaCha20Poly1305"/>, about 2.8× NSec's speed on
/// these machines, see docs/BENCHMARKS.md) wherever it exists, NSec (libsodium) elsewhere.
/// Their outputs are identical; a test checks it. Transport throughput is bounded by this
/// AEAD, so the faster one is worth the second code path.
/// </para>
/// </summary>
internal sealed class CipherState : IDisposable
{
    public const int KeyLength = 32;

    public const int TagLength = 16;

    private const int NonceLength = 12;

    /// <summary>§5.1: "The maximum n value (2^64−1) is reserved"; reaching it is an error.</summary>
    private const ulong ReservedNonce = ulong.MaxValue;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.ChaCha20Poly1305;

    private readonly bool _platform;
    private Key? _key;
    private System.Security.Cryptography.ChaCha20Poly1305? _platformKey;

    /// <param name="preferPlatform">Use the platform AEAD when the OS provides it (tests pin either).</param>
    public CipherState(bool preferPlatform = true)
    {
        _platform = preferPlatform && System.Security.Cryptography.ChaCha20Poly1305.IsSupported;
    }

    public bool HasKey => _key is not null || _platformKey is not null;

    /// <summary>True when this state encrypts with the platform AEAD rather than NSec.</summary>
    internal bool UsesPlatformAead => _platform;

    /// <summary>The next nonce; settable so tests can reach the end of the counter.</summary>
    internal ulong Nonce { get; set; }

    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        Dispose();
        if (_platform)
        {
            _platformKey = new System.Security.Cryptography.ChaCha20Poly1305(key);
        }
        else
        {
            _key = Key.Import(Aead, key, KeyBlobFormat.RawSymmetricKey);
        }
        Nonce = 0;
    }

    /// <summary>EncryptWithAd: <paramref name="ciphertext"/> is plaintext length + 16 (or equal without a key).</summary>
    public void Encrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (!HasKey)
        {
            plaintext.CopyTo(ciphertext);
            return;
        }
        Span<byte> nonce = stackalloc byte[NonceLength];
        TakeNonce(nonce);
        if (_platformKey is not null)
        {
            int length = plaintext.Length;
            _platformKey.Encrypt(nonce, plaintext, ciphertext[..length], ciphertext.Slice(length, TagLength), associatedData);
        }
        else
        {
            Aead.Encrypt(_key!, nonce, associatedData, plaintext, ciphertext);
        }
    }

    /// <summary>
    /// DecryptWithAd: false when the tag does not authenticate (§5.1: n is then not incremented).
    /// <paramref name="plaintext"/> is ciphertext length − 16 (or equal without a key).
    /// </summary>
    public bool Decrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (!HasKey)
        {
            ciphertext.CopyTo(plaintext);
            return true;
        }
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteNonce(nonce);
        if (_platformKey is not null)
        {
            if (ciphertext.Length < TagLength)
            {
                return false;
            }
            int length = ciphertext.Length - TagLength;
            try
            {
                _platformKey.Decrypt(nonce, ciphertext[..length], ciphertext[length..], plaintext[..length], associatedData);
            }
            catch (System.Security.Cryptography.AuthenticationTagMismatchException)
            {
                return false;
            }
        }
        else if (!Aead.Decrypt(_key!, nonce, associatedData, ciphertext, plaintext))
        {
            return false;
        }
        Nonce++;
        return true;
    }

    private void TakeNonce(Span<byte> nonce)
    {
        WriteNonce(nonce);
        Nonce++;
    }

    private void WriteNonce(Span<byte> nonce)
    {
        if (Nonce == ReservedNonce)
        {
            throw new NoiseNonceExhaustedException();
        }
        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(nonce[4..], Nonce);
    }

    public void Dispose()
    {
        _key?.Dispose();
        _key = null;
        _platformKey?.Dispose();
        _platformKey = null;
    }
}
