using System.Buffers.Binary;
using NSec.Cryptography;

namespace Nnrp.Libp2p.Noise;

/// <summary>
/// Noise rev 34 §5.1 CipherState with the ChaChaPoly functions of §12.3: key k, nonce counter
/// n, AEAD ChaCha20-Poly1305 (RFC 8439) whose 96-bit nonce is 32 zero bits followed by n as a
/// little-endian 64-bit integer. Without a key, encryption is the identity (handshake start).
/// Ciphertext may occupy the same memory as the plaintext (encryption in place).
/// </summary>
internal sealed class CipherState : IDisposable
{
    public const int KeyLength = 32;

    public const int TagLength = 16;

    private const int NonceLength = 12;

    /// <summary>§5.1: "The maximum n value (2^64−1) is reserved"; reaching it is an error.</summary>
    private const ulong ReservedNonce = ulong.MaxValue;

    private static readonly AeadAlgorithm Aead = AeadAlgorithm.ChaCha20Poly1305;

    private Key? _key;

    public bool HasKey => _key is not null;

    /// <summary>The next nonce; settable so tests can reach the end of the counter.</summary>
    internal ulong Nonce { get; set; }

    public void InitializeKey(ReadOnlySpan<byte> key)
    {
        _key?.Dispose();
        _key = Key.Import(Aead, key, KeyBlobFormat.RawSymmetricKey);
        Nonce = 0;
    }

    /// <summary>EncryptWithAd: <paramref name="ciphertext"/> is plaintext length + 16 (or equal without a key).</summary>
    public void Encrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        if (_key is null)
        {
            plaintext.CopyTo(ciphertext);
            return;
        }
        Span<byte> nonce = stackalloc byte[NonceLength];
        TakeNonce(nonce);
        Aead.Encrypt(_key, nonce, associatedData, plaintext, ciphertext);
    }

    /// <summary>
    /// DecryptWithAd: false when the tag does not authenticate (§5.1: n is then not incremented).
    /// <paramref name="plaintext"/> is ciphertext length − 16 (or equal without a key).
    /// </summary>
    public bool Decrypt(ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (_key is null)
        {
            ciphertext.CopyTo(plaintext);
            return true;
        }
        Span<byte> nonce = stackalloc byte[NonceLength];
        WriteNonce(nonce);
        if (!Aead.Decrypt(_key, nonce, associatedData, ciphertext, plaintext))
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
    }
}
