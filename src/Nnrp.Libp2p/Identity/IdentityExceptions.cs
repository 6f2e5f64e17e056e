namespace Nnrp.Libp2p.Identity;

/// <summary>
/// A well-formed key of a type this node does not implement (RSA, ECDSA; secp256k1 where the
/// platform's crypto library lacks the curve). The spec makes only Ed25519 mandatory.
/// </summary>
public sealed class UnsupportedKeyTypeException(KeyType type, string detail)
    : ProtocolViolationException($"{type} keys are not supported: {detail}")
{
    public KeyType Type { get; } = type;
}

/// <summary>
/// A private key file that other users may read. A node identity that leaked is a stolen
/// identity, so the file is refused rather than silently fixed.
/// </summary>
public sealed class InsecureKeyFileException(string path, UnixFileMode mode)
    : IOException($"key file '{path}' is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); run 'chmod 600 {path}'")
{
    public string Path { get; } = path;

    public UnixFileMode Mode { get; } = mode;
}
