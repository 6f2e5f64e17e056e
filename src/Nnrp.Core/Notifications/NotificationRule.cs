namespace Nnrp.Core.Notifications;

/// <summary>The rule of NNRP.md a notification broke.</summary>
public enum NotificationRule
{
    /// <summary>No rule broken.</summary>
    None = 0,

    /// <summary>§3.1: version is not 1.</summary>
    Version,

    /// <summary>§3.1: recipient_tag is not 32 bytes.</summary>
    RecipientTagLength,

    /// <summary>§3.1: ttl outside 60 ..= 7 776 000 seconds.</summary>
    TtlRange,

    /// <summary>§3.1: payload longer than 2048 bytes.</summary>
    PayloadSize,

    /// <summary>§5: timestamp more than 600 s after the receiver's clock.</summary>
    TimestampInFuture,

    /// <summary>§5: timestamp + ttl ≤ now.</summary>
    Expired,

    /// <summary>§6: work value below the required threshold.</summary>
    InsufficientWork,

    /// <summary>§3.4 / §12: the bytes or JSON do not decode to a notification.</summary>
    Encoding,
}

/// <summary>A notification broke <see cref="Rule"/>; the message says how.</summary>
public sealed class NotificationRuleException : NnrpFormatException
{
    public NotificationRuleException(NotificationRule rule, string message) : base(message) => Rule = rule;

    public NotificationRuleException(NotificationRule rule, string message, Exception inner) : base(message, inner) => Rule = rule;

    /// <summary>The rule broken.</summary>
    public NotificationRule Rule { get; }
}

/// <summary>The outcome of <see cref="Notification.Validate(long)"/>.</summary>
/// <param name="Rule">The first rule broken, or <see cref="NotificationRule.None"/>.</param>
/// <param name="Message">What was wrong, for logs and the response message; empty when valid.</param>
public readonly record struct NotificationValidation(NotificationRule Rule, string Message)
{
    /// <summary>A result with no rule broken.</summary>
    public static NotificationValidation Valid => new(NotificationRule.None, string.Empty);

    /// <summary>True when no rule is broken.</summary>
    public bool IsValid => Rule == NotificationRule.None;

    /// <summary>Throws <see cref="NotificationRuleException"/> unless valid.</summary>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new NotificationRuleException(Rule, Message);
        }
    }
}
