using System.Buffers.Binary;
using Google.Protobuf;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// pubsub/README.md "Message Signing": the signature covers <c>"libp2p-pubsub:"</c> followed by
/// the Message protobuf without its <c>signature</c> and <c>key</c> fields; <c>from</c> is the
/// author's peer id, <c>seqno</c> 8 big-endian bytes unique per author ("Seqno"), <c>key</c>
/// present only when the peer id does not inline the public key.
/// </summary>
internal sealed class MessageAuthenticator : IMessageAuthenticator
{
    private static readonly byte[] SignaturePrefix = "libp2p-pubsub:"u8.ToArray();
    private readonly KeyPair _identity;
    private long _seqno;

    public MessageAuthenticator(KeyPair identity, TimeProvider time)
    {
        _identity = identity;
        // go-libp2p-pubsub starts the counter at the current time in ns so a restart never reuses one.
        _seqno = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;
    }

    public void Sign(Message message)
    {
        message.From = ByteString.CopyFrom(_identity.PeerId.Bytes.Span);
        Span<byte> seqno = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(seqno, Interlocked.Increment(ref _seqno));
        message.Seqno = ByteString.CopyFrom(seqno);
        message.ClearSignature();
        message.ClearKey();
        message.Signature = ByteString.CopyFrom(_identity.Sign(SignedBytes(message)));
        if (_identity.PeerId.TryGetPublicKey() is null)
        {
            message.Key = ByteString.CopyFrom(_identity.PublicKey.ToProtobuf());
        }
    }

    public bool Verify(Message message)
    {
        if (!PeerId.TryFromBytes(message.From.Span, out PeerId? author))
        {
            return false;
        }
        PublicKey? key;
        try
        {
            key = message.HasKey ? PublicKey.FromProtobuf(message.Key.Span) : author.TryGetPublicKey();
        }
        catch (ProtocolViolationException)
        {
            return false;
        }
        if (key is null || !author.Matches(key))
        {
            return false;
        }
        var unsigned = message.Clone();
        unsigned.ClearSignature();
        unsigned.ClearKey();
        return key.Verify(SignedBytes(unsigned), message.Signature.Span);
    }

    private static byte[] SignedBytes(Message unsigned)
    {
        int size = unsigned.CalculateSize();
        byte[] bytes = new byte[SignaturePrefix.Length + size];
        SignaturePrefix.CopyTo(bytes, 0);
        unsigned.WriteTo(bytes.AsSpan(SignaturePrefix.Length));
        return bytes;
    }
}
