using System.Buffers.Binary;
using Nnrp.Core.Hashing;
using Nnrp.Core.Keys;
using Nnrp.Core.Work;

namespace Nnrp.Core.Notifications;

/// <summary>
/// A payment notification (NNRP.md §3). Immutable; construction accepts any field values so
/// that decoders can hand over what they read and <see cref="Validate(long)"/> can name the
/// rule broken. The content hash is computed once, on first use.
/// </summary>
public sealed class Notification
{
    private readonly byte[] _payload;
    private NotificationHash? _hash;

    /// <summary>A notification from its fields (the payload is copied).</summary>
    public Notification(uint version, RecipientTag recipientTag, ulong timestamp, uint ttl, ReadOnlySpan<byte> payload, ulong work)
    {
        Version = version;
        RecipientTag = recipientTag;
        Timestamp = timestamp;
        Ttl = ttl;
        _payload = payload.ToArray();
        Work = work;
    }

    /// <summary>§3.1: format version (1).</summary>
    public uint Version { get; }

    /// <summary>§3.1: the recipient's mailbox.</summary>
    public RecipientTag RecipientTag { get; }

    /// <summary>§3.1: creation time, unix seconds.</summary>
    public ulong Timestamp { get; }

    /// <summary>§3.1: lifetime in seconds.</summary>
    public uint Ttl { get; }

    /// <summary>§3.1: the sealed payload, enc(32) ‖ ciphertext.</summary>
    public ReadOnlyMemory<byte> Payload => _payload;

    /// <summary>§3.1 / §6: the PoW nonce.</summary>
    public ulong Work { get; }

    /// <summary>Unix second after which the notification is dropped: timestamp + ttl (saturating).</summary>
    public ulong ExpiresAt => Timestamp > ulong.MaxValue - Ttl ? ulong.MaxValue : Timestamp + Ttl;

    /// <summary>
    /// §3.2: the content hash,
    /// <c>BLAKE2b-256(version:u8 ‖ recipient_tag ‖ timestamp:u64 BE ‖ ttl:u32 BE ‖ payload)</c>.
    /// The work is not hashed: it is found after the hash, over it.
    /// </summary>
    public NotificationHash Hash => _hash ??= ComputeHash(Version, RecipientTag, Timestamp, Ttl, _payload);

    /// <summary>This notification's PoW value (§6).</summary>
    public ulong WorkValue
    {
        get
        {
            Span<byte> root = stackalloc byte[NotificationHash.Size];
            Hash.CopyTo(root);
            return ProofOfWork.Value(root, Work);
        }
    }

    /// <summary>The same notification with another work value (the hash is kept).</summary>
    public Notification WithWork(ulong work) =>
        new(Version, RecipientTag, Timestamp, Ttl, _payload, work) { _hash = _hash };

    /// <summary>True when the work value meets <paramref name="threshold"/>.</summary>
    public bool MeetsThreshold(ulong threshold) => WorkValue >= threshold;

    /// <summary>Checks every rule that needs no clock and no threshold: version, ttl, payload size.</summary>
    public NotificationValidation ValidateForm()
    {
        if (Version != NotificationLimits.Version)
        {
            return new(NotificationRule.Version, $"version must be {NotificationLimits.Version}, not {Version}");
        }
        if (Ttl is < NotificationLimits.MinTtl or > NotificationLimits.MaxTtl)
        {
            return new(NotificationRule.TtlRange, $"ttl must be {NotificationLimits.MinTtl}..{NotificationLimits.MaxTtl} seconds, not {Ttl}");
        }
        if (_payload.Length > NotificationLimits.MaxPayload)
        {
            return new(NotificationRule.PayloadSize, $"payload must be at most {NotificationLimits.MaxPayload} bytes, not {_payload.Length}");
        }
        return NotificationValidation.Valid;
    }

    /// <summary>Checks the form rules and the clock window (§5) against <paramref name="nowUnixSeconds"/>.</summary>
    public NotificationValidation Validate(long nowUnixSeconds)
    {
        NotificationValidation form = ValidateForm();
        if (!form.IsValid)
        {
            return form;
        }
        long now = Math.Max(0, nowUnixSeconds);
        if (Timestamp > (ulong)now + NotificationLimits.MaxFutureSkew)
        {
            return new(NotificationRule.TimestampInFuture, $"timestamp {Timestamp} is more than {NotificationLimits.MaxFutureSkew} s after now ({now})");
        }
        if (ExpiresAt <= (ulong)now)
        {
            return new(NotificationRule.Expired, $"expired at {ExpiresAt} (timestamp + ttl), now is {now}");
        }
        return NotificationValidation.Valid;
    }

    /// <summary>Checks the clock window against <paramref name="now"/>.</summary>
    public NotificationValidation Validate(DateTimeOffset now) => Validate(now.ToUnixTimeSeconds());

    /// <summary>All rules, including the work (§6) against <paramref name="requiredThreshold"/>.</summary>
    public NotificationValidation Validate(long nowUnixSeconds, ulong requiredThreshold)
    {
        NotificationValidation v = Validate(nowUnixSeconds);
        if (!v.IsValid)
        {
            return v;
        }
        ulong value = WorkValue;
        if (value < requiredThreshold)
        {
            return new(NotificationRule.InsufficientWork,
                $"work value {value:x16} is below the required threshold {requiredThreshold:x16}");
        }
        return NotificationValidation.Valid;
    }

    /// <summary>§3.2: the content hash of the given fields.</summary>
    public static NotificationHash ComputeHash(uint version, RecipientTag recipientTag, ulong timestamp, uint ttl, ReadOnlySpan<byte> payload)
    {
        // version:u8 ‖ tag:32 ‖ timestamp:u64 BE ‖ ttl:u32 BE = 45 header bytes, then payload.
        Span<byte> header = stackalloc byte[45];
        header[0] = (byte)version;
        recipientTag.CopyTo(header[1..]);
        BinaryPrimitives.WriteUInt64BigEndian(header[33..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(header[41..], ttl);
        var state = default(Blake2b);
        state.Init(NotificationHash.Size);
        state.Update(header);
        state.Update(payload);
        Span<byte> hash = stackalloc byte[NotificationHash.Size];
        state.Final(hash);
        return NotificationHash.FromBytes(hash);
    }
}
