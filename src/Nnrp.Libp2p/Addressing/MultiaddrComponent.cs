namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// One <c>/protocol/value</c> step of a multiaddr. <see cref="Value"/> is the binary value
/// without its length prefix (4 bytes for ip4, the multihash for p2p, empty for ws …).
/// Equality compares the value bytes, not the memory they live in.
/// </summary>
public readonly record struct MultiaddrComponent(MultiaddrProtocol Protocol, ReadOnlyMemory<byte> Value)
{
    /// <summary>The protocol's name in the text form, e.g. <c>ip4</c>, <c>quic-v1</c>.</summary>
    public string Name => ProtocolTable.Get(Protocol).Name;

    /// <summary>The value as the text form writes it (<c>127.0.0.1</c>, <c>4001</c>, <c>12D3Koo…</c>); empty when the protocol has none.</summary>
    public string ValueString
    {
        get
        {
            ProtocolInfo info = ProtocolTable.Get(Protocol);
            if (info.FixedSize >= 0 && Value.Length != info.FixedSize)
            {
                throw new MultiaddrFormatException($"/{info.Name} value must be {info.FixedSize} bytes, got {Value.Length}");
            }
            return ComponentValue.Format(info, Value.Span);
        }
    }

    public bool Equals(MultiaddrComponent other) =>
        Protocol == other.Protocol && Value.Span.SequenceEqual(other.Value.Span);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Protocol);
        hash.AddBytes(Value.Span);
        return hash.ToHashCode();
    }

    public override string ToString()
    {
        ProtocolInfo info = ProtocolTable.Get(Protocol);
        if (info.Kind == ValueKind.None)
        {
            return "/" + info.Name;
        }
        string value = ValueString;
        // A path already starts with '/' (go-multiaddr prints /unix/a/b the same way).
        return info.Kind == ValueKind.Path && value.StartsWith('/') ? $"/{info.Name}{value}" : $"/{info.Name}/{value}";
    }
}
