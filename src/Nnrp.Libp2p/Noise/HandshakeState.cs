using NSec.Cryptography;
using NSecPublicKey = NSec.Cryptography.PublicKey;

namespace Nnrp.Libp2p.Noise;

/// <summary>
/// Noise rev 34 §5.3 HandshakeState for the one pattern noise-libp2p uses (§7.5 XX), driven
/// by role rather than duplicated per side:
/// <code>
///   XX:
///     -> e                 message 0, written by the initiator
///     &lt;- e, ee, s, es       message 1, written by the responder
///     -> s, se             message 2, written by the initiator
/// </code>
/// Each message ends with its (possibly empty) payload through EncryptAndHash. DH is X25519
/// (§12.1). Buffers passed in and out must not overlap: h absorbs each ciphertext after use.
/// </summary>
internal sealed class HandshakeState : IDisposable
{
    public static ReadOnlySpan<byte> ProtocolName => "Noise_XX_25519_ChaChaPoly_SHA256"u8;

    public const int DhLength = 32;

    /// <summary>Bytes a message adds around its payload at most: e, encrypted s, and two tags.</summary>
    public const int MaxOverhead = DhLength + DhLength + 2 * CipherState.TagLength;

    private enum Token { E, S, EE, ES, SE }

    private static readonly Token[][] Messages =
    [
        [Token.E],
        [Token.E, Token.EE, Token.S, Token.ES],
        [Token.S, Token.SE],
    ];

    private static readonly KeyAgreementAlgorithm X25519 = KeyAgreementAlgorithm.X25519;

    private readonly bool _initiator;
    private readonly SymmetricState _symmetric;
    private readonly Key _s;
    private readonly byte[] _sPublic;
    private Key? _e;
    private byte[]? _ePublic;
    private NSecPublicKey? _re;
    private NSecPublicKey? _rs;
    private int _message;

    /// <param name="initiator">True on the dialing side (Noise XX's first message is ours).</param>
    /// <param name="prologue">Bytes both sides mix into the handshake hash before the first message.</param>
    /// <param name="localStatic">The X25519 static key s (noise-libp2p: separate from the identity key); owned from then on.</param>
    /// <param name="ephemeral">A fixed ephemeral key for known-answer tests (owned from then on); otherwise generated.</param>
    public HandshakeState(bool initiator, ReadOnlySpan<byte> prologue, Key localStatic, Key? ephemeral = null)
    {
        if (localStatic.Algorithm != X25519 || (ephemeral is not null && ephemeral.Algorithm != X25519))
        {
            throw new ArgumentException("Noise keys must be X25519 keys");
        }
        _initiator = initiator;
        _s = localStatic;
        _sPublic = localStatic.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        _e = ephemeral;
        _symmetric = new SymmetricState(ProtocolName);
        _symmetric.MixHash(prologue);  // XX has no pre-messages
    }

    /// <summary>noise-libp2p: a fresh static key per session and an empty prologue.</summary>
    public static HandshakeState WithFreshStaticKey(bool initiator) =>
        new(initiator, prologue: [], Key.Create(X25519));

    public bool IsComplete => _message == Messages.Length;

    /// <summary>Index of the next message (0, 1, 2), or 3 once complete.</summary>
    public int MessageIndex => _message;

    /// <summary>True when the next message is ours to write (initiator writes the even ones).</summary>
    public bool IsWriteTurn => !IsComplete && (_message % 2 == 0) == _initiator;

    public ReadOnlySpan<byte> LocalStaticPublicKey => _sPublic;

    /// <summary>rs, known once the peer's s token has been read.</summary>
    public byte[]? RemoteStaticPublicKey { get; private set; }

    public ReadOnlySpan<byte> HandshakeHash => _symmetric.HandshakeHash;

    /// <summary>WriteMessage: writes the next message into <paramref name="message"/>; returns its length.</summary>
    public int WriteMessage(ReadOnlySpan<byte> payload, Span<byte> message)
    {
        if (!IsWriteTurn)
        {
            throw new InvalidOperationException("not this side's turn to write a handshake message");
        }
        int o = 0;
        foreach (Token token in Messages[_message])
        {
            switch (token)
            {
                case Token.E:
                    _e ??= Key.Create(X25519);
                    _ePublic = _e.PublicKey.Export(KeyBlobFormat.RawPublicKey);
                    _ePublic.CopyTo(message[o..]);
                    o += DhLength;
                    _symmetric.MixHash(_ePublic);
                    break;
                case Token.S:
                    o += _symmetric.EncryptAndHash(_sPublic, message[o..]);
                    break;
                default:
                    MixDh(token);
                    break;
            }
        }
        o += _symmetric.EncryptAndHash(payload, message[o..]);
        _message++;
        return o;
    }

    /// <summary>ReadMessage: processes the peer's next message; returns the payload length written.</summary>
    public int ReadMessage(ReadOnlySpan<byte> message, Span<byte> payload)
    {
        if (IsComplete || IsWriteTurn)
        {
            throw new InvalidOperationException("not this side's turn to read a handshake message");
        }
        int o = 0;
        Span<byte> rs = stackalloc byte[DhLength];
        foreach (Token token in Messages[_message])
        {
            switch (token)
            {
                case Token.E:
                    ReadOnlySpan<byte> re = Take(message, ref o, DhLength);
                    _re = ImportRemote(re, "ephemeral");
                    _symmetric.MixHash(re);
                    break;
                case Token.S:
                    ReadOnlySpan<byte> sealedS = Take(message, ref o, DhLength + (_symmetric.HasKey ? CipherState.TagLength : 0));
                    _symmetric.DecryptAndHash(sealedS, rs);
                    _rs = ImportRemote(rs, "static");
                    RemoteStaticPublicKey = rs.ToArray();
                    break;
                default:
                    MixDh(token);
                    break;
            }
        }
        int length = _symmetric.DecryptAndHash(message[o..], payload);
        _message++;
        return length;
    }

    /// <summary>Split once the last message is done: (send, receive) for this side's role.</summary>
    public (CipherState Send, CipherState Receive) Split()
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException("the handshake is not complete");
        }
        var (first, second) = _symmetric.Split();
        return _initiator ? (first, second) : (second, first);
    }

    /// <summary>ee = DH(e, re); es = DH(e, rs) for the initiator, DH(s, re) for the responder; se the mirror.</summary>
    private void MixDh(Token token)
    {
        (Key local, NSecPublicKey? remote) = (token, _initiator) switch
        {
            (Token.EE, _) => (_e!, _re),
            (Token.ES, true) or (Token.SE, false) => (_e!, _rs),
            _ => (_s, _re),
        };
        using SharedSecret? secret = X25519.Agree(local, remote!, new SharedSecretCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport })
            ?? throw new NoiseHandshakeException("X25519 produced the all-zero output (a low-order remote key)");
        Span<byte> shared = stackalloc byte[DhLength];
        secret.TryExport(SharedSecretBlobFormat.RawSharedSecret, shared, out _);
        _symmetric.MixKey(shared);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(shared);
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> message, ref int offset, int length)
    {
        if (message.Length - offset < length)
        {
            throw new NoiseHandshakeException($"handshake message of {message.Length} bytes is too short for its keys");
        }
        ReadOnlySpan<byte> slice = message.Slice(offset, length);
        offset += length;
        return slice;
    }

    private static NSecPublicKey ImportRemote(ReadOnlySpan<byte> raw, string which) =>
        NSecPublicKey.TryImport(X25519, raw, KeyBlobFormat.RawPublicKey, out NSecPublicKey? key)
            ? key!
            : throw new NoiseHandshakeException($"the remote {which} key is not a valid X25519 public key");

    public void Dispose()
    {
        _e?.Dispose();
        _s.Dispose();
        _symmetric.Dispose();
    }
}
