using System.Security.Cryptography;

namespace Nnrp.Libp2p.Noise;

/// <summary>
/// Noise rev 34 §5.2 SymmetricState with the SHA256 hash functions of §12.5: chaining key ck,
/// handshake hash h, and the CipherState that handshake payloads are sealed with.
/// </summary>
internal sealed class SymmetricState : IDisposable
{
    public const int HashLength = 32;

    private readonly byte[] _ck = new byte[HashLength];
    private readonly byte[] _h = new byte[HashLength];
    private readonly CipherState _cipher = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>InitializeSymmetric: h = name padded with zeros if it fits in HASHLEN, else HASH(name); ck = h.</summary>
    public SymmetricState(ReadOnlySpan<byte> protocolName)
    {
        if (protocolName.Length <= HashLength)
        {
            protocolName.CopyTo(_h);
        }
        else
        {
            SHA256.HashData(protocolName, _h);
        }
        _h.CopyTo(_ck, 0);
    }

    public bool HasKey => _cipher.HasKey;

    /// <summary>h, which after the handshake identifies it (§11.2 channel binding).</summary>
    public ReadOnlySpan<byte> HandshakeHash => _h;

    public void MixKey(ReadOnlySpan<byte> inputKeyMaterial)
    {
        Span<byte> output = stackalloc byte[2 * HashLength];
        Hkdf(_ck, inputKeyMaterial, output);
        output[..HashLength].CopyTo(_ck);
        _cipher.InitializeKey(output[HashLength..]);  // HASHLEN = 32 = key length, no truncation
        CryptographicOperations.ZeroMemory(output);
    }

    public void MixHash(ReadOnlySpan<byte> data)
    {
        _hash.AppendData(_h);
        _hash.AppendData(data);
        _hash.GetHashAndReset(_h);
    }

    /// <summary>Encrypts with h as associated data, then mixes the ciphertext into h. Returns bytes written.</summary>
    public int EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        int length = plaintext.Length + (HasKey ? CipherState.TagLength : 0);
        Span<byte> ciphertext = destination[..length];
        _cipher.Encrypt(_h, plaintext, ciphertext);
        MixHash(ciphertext);
        return length;
    }

    /// <summary>Decrypts with h as associated data, then mixes the ciphertext into h. Returns plaintext length.</summary>
    public int DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        int length = ciphertext.Length - (HasKey ? CipherState.TagLength : 0);
        if (length < 0)
        {
            throw new NoiseHandshakeException("handshake message is shorter than its authentication tag");
        }
        if (!_cipher.Decrypt(_h, ciphertext, destination[..length]))
        {
            throw new NoiseHandshakeException("handshake message failed authentication");
        }
        MixHash(ciphertext);
        return length;
    }

    /// <summary>§5.2 Split: two transport cipher states, initiator→responder first.</summary>
    public (CipherState First, CipherState Second) Split()
    {
        Span<byte> output = stackalloc byte[2 * HashLength];
        Hkdf(_ck, ReadOnlySpan<byte>.Empty, output);
        var first = new CipherState();
        var second = new CipherState();
        first.InitializeKey(output[..HashLength]);
        second.InitializeKey(output[HashLength..]);
        CryptographicOperations.ZeroMemory(output);
        return (first, second);
    }

    /// <summary>
    /// §4.3 HKDF with two outputs: temp = HMAC(ck, ikm); out1 = HMAC(temp, 0x01);
    /// out2 = HMAC(temp, out1 ‖ 0x02). Written out because Split needs a zero-length ikm,
    /// which the platform's HKDF (OpenSSL) refuses.
    /// </summary>
    private static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output)
    {
        Span<byte> temp = stackalloc byte[HashLength];
        Span<byte> block = stackalloc byte[HashLength + 1];
        HMACSHA256.HashData(chainingKey, inputKeyMaterial, temp);
        block[0] = 0x01;
        HMACSHA256.HashData(temp, block[..1], output[..HashLength]);
        output[..HashLength].CopyTo(block);
        block[HashLength] = 0x02;
        HMACSHA256.HashData(temp, block, output[HashLength..]);
        CryptographicOperations.ZeroMemory(temp);
        CryptographicOperations.ZeroMemory(block);
    }

    public void Dispose()
    {
        _cipher.Dispose();
        _hash.Dispose();
        CryptographicOperations.ZeroMemory(_ck);
    }
}
