namespace Nnrp.Libp2p.WebSockets;

/// <summary>Frame opcodes (RFC 6455 §5.2, §11.8).</summary>
internal enum Opcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

/// <summary>Close status codes this transport sends (RFC 6455 §7.4.1).</summary>
internal static class CloseStatus
{
    public const ushort Normal = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort UnsupportedData = 1003;
    public const ushort TooBig = 1009;
}

/// <summary>A parsed frame header; the payload follows it on the wire.</summary>
internal readonly record struct FrameHeader(bool Fin, Opcode Opcode, bool Masked, uint MaskKey, long PayloadLength)
{
    /// <summary>Close, Ping and Pong (opcodes with the high bit set, RFC 6455 §5.5).</summary>
    public bool IsControl => ((byte)Opcode & 0x8) != 0;
}
