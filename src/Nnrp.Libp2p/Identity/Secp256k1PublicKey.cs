using System.Numerics;
using System.Security.Cryptography;

namespace Nnrp.Libp2p.Identity;

/// <summary>
/// secp256k1 public key (peer-ids/peer-ids.md "Secp256k1"): <c>Data</c> is the 33-byte
/// compressed SEC1 point (Bitcoin encoding); a signature is DER-encoded ECDSA over SHA-256 of
/// the message. Verification uses the platform's ECDSA (OpenSSL on Linux); where the curve is
/// not available <see cref="Verify"/> throws <see cref="UnsupportedKeyTypeException"/>.
/// </summary>
public sealed class Secp256k1PublicKey : PublicKey
{
    public const int KeyLength = 33;

    private const int CoordinateLength = 32;

    /// <summary>The field prime p = 2^256 − 2^32 − 977 (SEC 2 §2.4.1).</summary>
    private static readonly BigInteger P = BigInteger.Pow(2, 256) - BigInteger.Pow(2, 32) - 977;

    private readonly byte[] _x;
    private readonly byte[] _y;

    public Secp256k1PublicKey(ReadOnlySpan<byte> raw) : base(raw.ToArray())
    {
        if (raw.Length != KeyLength || (raw[0] != 0x02 && raw[0] != 0x03))
        {
            throw new ProtocolViolationException($"a secp256k1 public key is a {KeyLength}-byte compressed point");
        }
        (_x, _y) = Decompress(raw);
    }

    public override KeyType Type => KeyType.Secp256k1;

    public override bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        ECDsa ecdsa;
        try
        {
            ecdsa = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.CreateFromFriendlyName("secp256k1"),
                Q = new ECPoint { X = _x, Y = _y },
            });
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            throw new UnsupportedKeyTypeException(KeyType.Secp256k1, $"the platform crypto library lacks the curve ({e.Message})");
        }
        using (ecdsa)
        {
            try
            {
                return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            }
            catch (CryptographicException)
            {
                return false;  // a malformed DER signature is simply not a valid signature
            }
        }
    }

    /// <summary>
    /// y² = x³ + 7 over p; since p ≡ 3 (mod 4) the square root is rhs^((p+1)/4). The prefix
    /// (0x02 even, 0x03 odd) picks the root. A point not on the curve is rejected here.
    /// </summary>
    private static (byte[] X, byte[] Y) Decompress(ReadOnlySpan<byte> raw)
    {
        var x = new BigInteger(raw[1..], isUnsigned: true, isBigEndian: true);
        if (x >= P)
        {
            throw new ProtocolViolationException("secp256k1 x coordinate is not a field element");
        }
        BigInteger rhs = (BigInteger.ModPow(x, 3, P) + 7) % P;
        BigInteger y = BigInteger.ModPow(rhs, (P + 1) / 4, P);
        if (BigInteger.ModPow(y, 2, P) != rhs)
        {
            throw new ProtocolViolationException("secp256k1 public key is not a point on the curve");
        }
        if (y.IsEven != (raw[0] == 0x02))
        {
            y = P - y;
        }
        return (raw[1..].ToArray(), ToFixed(y));
    }

    private static byte[] ToFixed(BigInteger value)
    {
        var bytes = new byte[CoordinateLength];
        int written = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(bytes.AsSpan(CoordinateLength - written), out _, isUnsigned: true, isBigEndian: true);
        return bytes;
    }
}
