namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// A multiaddr, in text or binary form, broke a rule of multiformats/multiaddr: unknown
/// protocol, truncated varint, bad IP, port out of range, malformed peer id, over the length cap.
/// </summary>
public sealed class MultiaddrFormatException : FormatException
{
    public MultiaddrFormatException(string message) : base(message) { }

    public MultiaddrFormatException(string message, Exception inner) : base(message, inner) { }
}
