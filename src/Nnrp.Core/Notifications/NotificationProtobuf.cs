using Google.Protobuf;
using Nnrp.Core.Keys;

namespace Nnrp.Core.Notifications;

/// <summary>Notification ↔ <see cref="Protocol.Notification"/> ↔ bytes (§3.4).</summary>
public static class NotificationProtobuf
{
    /// <summary>The protobuf message of a notification.</summary>
    public static Protocol.Notification ToProto(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return new Protocol.Notification
        {
            Version = notification.Version,
            RecipientTag = ByteString.CopyFrom(notification.RecipientTag.ToArray()),
            Timestamp = notification.Timestamp,
            Ttl = notification.Ttl,
            Payload = ByteString.CopyFrom(notification.Payload.Span),
            Work = notification.Work,
        };
    }

    /// <summary>
    /// The notification in a protobuf message. Structural rules (tag length, payload size)
    /// are checked here; version, ttl and clock are left to <see cref="Notification.Validate(long)"/>.
    /// </summary>
    /// <exception cref="NotificationRuleException">a structural rule is broken.</exception>
    public static Notification FromProto(Protocol.Notification message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.RecipientTag.Length != NotificationLimits.RecipientTagSize)
        {
            throw new NotificationRuleException(NotificationRule.RecipientTagLength,
                $"recipient_tag must be {NotificationLimits.RecipientTagSize} bytes, not {message.RecipientTag.Length}");
        }
        if (message.Payload.Length > NotificationLimits.MaxPayload)
        {
            throw new NotificationRuleException(NotificationRule.PayloadSize,
                $"payload must be at most {NotificationLimits.MaxPayload} bytes, not {message.Payload.Length}");
        }
        return new Notification(
            message.Version,
            RecipientTag.FromBytes(message.RecipientTag.Span),
            message.Timestamp,
            message.Ttl,
            message.Payload.Span,
            message.Work);
    }

    /// <summary>The protobuf bytes of a notification.</summary>
    public static byte[] Encode(Notification notification) => ToProto(notification).ToByteArray();

    /// <summary>Decodes protobuf bytes, refusing anything over <see cref="NotificationLimits.MaxEncodedSize"/> before parsing.</summary>
    /// <exception cref="NotificationRuleException">too large, not protobuf, or a structural rule is broken.</exception>
    public static Notification Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > NotificationLimits.MaxEncodedSize)
        {
            throw new NotificationRuleException(NotificationRule.PayloadSize,
                $"an encoded notification is at most {NotificationLimits.MaxEncodedSize} bytes, not {bytes.Length}");
        }
        Protocol.Notification message;
        try
        {
            message = Protocol.Notification.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new NotificationRuleException(NotificationRule.Encoding, "not a protobuf Notification: " + e.Message, e);
        }
        return FromProto(message);
    }
}
