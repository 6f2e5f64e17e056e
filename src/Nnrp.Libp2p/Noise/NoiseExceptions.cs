namespace Nnrp.Libp2p.Noise;

/// <summary>
/// The Noise handshake failed: a malformed or undecryptable handshake message, a bad identity
/// signature, an unsupported identity key, or a remote peer id other than the one dialled.
/// The caller closes the transport.
/// </summary>
public sealed class NoiseHandshakeException : ProtocolViolationException
{
    public NoiseHandshakeException(string message) : base(message) { }

    public NoiseHandshakeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// A transport message after the handshake was bad: authentication tag mismatch, shorter than
/// a tag, or cut off by the end of the stream. The secure channel is torn down.
/// </summary>
public sealed class NoiseFrameException(string message) : ProtocolViolationException(message);

/// <summary>
/// A cipher state used its last nonce (Noise rev 34 §5.1: n = 2^64−1 is reserved). noise-libp2p
/// "Encryption and I/O": the connection MUST be terminated rather than reuse a nonce.
/// </summary>
public sealed class NoiseNonceExhaustedException()
    : IOException("the Noise nonce counter is exhausted; the connection must be closed");
