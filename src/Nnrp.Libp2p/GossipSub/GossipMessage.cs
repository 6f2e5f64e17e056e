namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// A pubsub message (pubsub/README.md "The Message") as the application and the message id
/// function see it. <see cref="From"/> and <see cref="SeqNo"/> are empty under StrictNoSign.
/// </summary>
public sealed class GossipMessage
{
    public GossipMessage(string topic, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> from = default, ReadOnlyMemory<byte> seqNo = default)
    {
        Topic = topic;
        Data = data;
        From = from;
        SeqNo = seqNo;
    }

    public string Topic { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The original author's peer id bytes (StrictSign only).</summary>
    public ReadOnlyMemory<byte> From { get; }

    public ReadOnlyMemory<byte> SeqNo { get; }

    /// <summary>The id the configured function gave it; set by the router.</summary>
    public MessageId Id { get; internal set; }

    /// <summary>
    /// What the message id function parsed from <see cref="Data"/>, if it kept it (a content id
    /// has to parse the data anyway). The topic validator gets this same object, so a message
    /// is parsed once on its way in. The router never reads it.
    /// </summary>
    public object? Parsed { get; set; }
}

/// <summary>pubsub/README.md "Message Identification": maps a message to its id.</summary>
public delegate MessageId MessageIdFunction(GossipMessage message);

public static class MessageIdFunctions
{
    /// <summary>The spec default: <c>from ‖ seqno</c> (needs StrictSign).</summary>
    public static MessageId FromAndSeqno(GossipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new MessageId([.. message.From.Span, .. message.SeqNo.Span]);
    }

    /// <summary>SHA-256 of the data, a content id for StrictNoSign networks (and our interop peers).</summary>
    public static MessageId Sha256OfData(GossipMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new MessageId(System.Security.Cryptography.SHA256.HashData(message.Data.Span));
    }
}

/// <summary>What a topic validator decides (v1.1 "Extended Validators").</summary>
public enum ValidationResult
{
    /// <summary>Deliver and forward.</summary>
    Accept,

    /// <summary>Invalid: drop and penalise the sender (P4).</summary>
    Reject,

    /// <summary>Drop without penalty (duplicates by content, expired, overload).</summary>
    Ignore,
}
