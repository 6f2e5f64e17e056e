namespace Nnrp.Libp2p.Yamux;

/// <summary>
/// The yamux frame header (hashicorp/yamux spec.md, "Framing"): 12 bytes, every field
/// big-endian, followed by <see cref="Length"/> payload bytes for data frames only.
/// <code>
///   0        1        2                 4                                 8                                12
///   ┌────────┬────────┬─────────────────┬─────────────────────────────────┬─────────────────────────────────┐
///   │version │ type   │ flags           │ stream id                       │ length                          │
///   │  (0)   │        │ SYN ACK FIN RST │ 0 = session (ping, go away)     │ data: payload bytes             │
///   │        │        │                 │ client odd, server even         │ window update: delta            │
///   │        │        │                 │                                 │ ping: opaque; go away: code     │
///   └────────┴────────┴─────────────────┴─────────────────────────────────┴─────────────────────────────────┘
/// </code>
/// </summary>
internal readonly record struct FrameHeader(FrameType Type, FrameFlags Flags, uint StreamId, uint Length)
{
    public const int Size = 12;

    /// <summary>"At the current time, the field is always set to 0" (spec, "Version Field").</summary>
    public const byte ProtocolVersion = 0;
}

/// <summary>Spec "Type Field".</summary>
internal enum FrameType : byte
{
    Data = 0x0,
    WindowUpdate = 0x1,
    Ping = 0x2,
    GoAway = 0x3,
}

/// <summary>Spec "Flag Field". Unknown bits are ignored, as go-yamux and rust-yamux do.</summary>
[Flags]
#pragma warning disable CA1028 // the wire field is 16 bits
internal enum FrameFlags : ushort
#pragma warning restore CA1028
{
    None = 0,
    Syn = 0x1,
    Ack = 0x2,
    Fin = 0x4,
    Rst = 0x8,
}

/// <summary>The error code carried in the length field of a Go Away frame (spec, "Session termination").</summary>
#pragma warning disable CA1028 // the wire field is 32 bits
public enum YamuxGoAwayCode : uint
#pragma warning restore CA1028
{
    Normal = 0x0,
    ProtocolError = 0x1,
    InternalError = 0x2,
}
