namespace Nnrp.Core.Sealing;

/// <summary>
/// A payload could not be sealed or opened: wrong key, tampered ciphertext or associated
/// data, a degenerate X25519 public key, or a payload too short to hold <c>enc</c>.
/// </summary>
public sealed class SealingException : NnrpException
{
    public SealingException(string message) : base(message) { }

    public SealingException(string message, Exception inner) : base(message, inner) { }
}
