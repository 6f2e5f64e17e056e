using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Nnrp.Libp2p.Encoding;

namespace Nnrp.Libp2p.Addressing;

/// <summary>
/// A self-describing network address (multiformats/multiaddr README "Specification"):
/// <code>
///   text:    (/&lt;name&gt;/&lt;value&gt;)+         /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…
///   binary:  (&lt;uvarint code&gt;&lt;value&gt;)+     04 7f000001 06 0fa1 a503 26 0024…
///            value = fixed bytes (size in protocols.csv) or &lt;uvarint length&gt;&lt;bytes&gt; (size V)
/// </code>
/// Immutable; equality is equality of the binary form. Both decoders check every value and
/// refuse anything longer than <see cref="MaxBinaryLength"/>, so hostile input costs little.
/// </summary>
public sealed class Multiaddr : IEquatable<Multiaddr>
{
    /// <summary>
    /// Longest binary multiaddr accepted. The spec sets no limit; real addresses are under
    /// 100 bytes and go-libp2p caps identify's listen addresses similarly, so 1 KiB is generous.
    /// </summary>
    public const int MaxBinaryLength = 1024;

    /// <summary>Longest text form accepted (text values are at most a few times their binary size).</summary>
    public const int MaxTextLength = 4 * MaxBinaryLength;

    private readonly byte[] _bytes;
    private readonly MultiaddrComponent[] _components;
    private readonly int[] _offsets;
    private string? _text;

    private Multiaddr(byte[] bytes, MultiaddrComponent[] components, int[] offsets)
    {
        _bytes = bytes;
        _components = components;
        _offsets = offsets;
        Components = Array.AsReadOnly(components);
    }

    public IReadOnlyList<MultiaddrComponent> Components { get; }

    /// <summary>The binary form without a copy.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>
    /// The peer the address leads to: the multihash of the final component when that is
    /// <c>/p2p</c>, else null (as go-libp2p <c>peer.SplitAddr</c>; in
    /// <c>…/p2p/R/p2p-circuit</c> the <c>/p2p</c> names the relay, not the destination).
    /// </summary>
    public ReadOnlyMemory<byte>? PeerIdMultihash =>
        _components.Length > 0 && _components[^1].Protocol == MultiaddrProtocol.P2p
            ? _components[^1].Value
            : (ReadOnlyMemory<byte>?)null;

    /// <summary>True when the first component is a loopback IP or a <c>localhost</c> DNS name.</summary>
    public bool IsLoopback => _components.Length > 0 && AddressScope.IsLoopback(_components[0]);

    /// <summary>
    /// True when the first component is an IP outside every loopback, private, link-local,
    /// unspecified, documentation and multicast range, or a DNS name other than localhost/.local.
    /// </summary>
    public bool IsPubliclyRoutable => _components.Length > 0 && AddressScope.IsPubliclyRoutable(_components[0]);

    public static Multiaddr Parse(string text) =>
        TryParseCore(text, out Multiaddr? result) is { } error ? throw new MultiaddrFormatException(error) : result!;

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Multiaddr? result)
    {
        if (text is null)
        {
            result = null;
            return false;
        }
        return TryParseCore(text, out result) is null;
    }

    public static Multiaddr FromBytes(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out Multiaddr? result) is { } error ? throw new MultiaddrFormatException(error) : result!;

    public static bool TryFromBytes(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out Multiaddr? result) =>
        TryDecode(bytes, out result) is null;

    /// <summary>Builds an address from components, checking each value as the binary decoder does.</summary>
    public static Multiaddr FromComponents(IEnumerable<MultiaddrComponent> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        var writer = new ArrayBufferWriter<byte>();
        foreach (MultiaddrComponent component in components)
        {
            WriteComponent(writer, component.Protocol, component.Value.Span);
        }
        return FromBytes(writer.WrittenSpan);
    }

    /// <summary><c>/ip4/a.b.c.d/tcp/port</c> or <c>/ip6/…/tcp/port</c>; an IPv4-mapped IPv6 address becomes ip4.</summary>
    public static Multiaddr FromIPEndPoint(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        IPAddress ip = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
        Span<byte> buffer = stackalloc byte[32];
        int n = Varint.Write(buffer, (ulong)(ip.AddressFamily == AddressFamily.InterNetwork ? MultiaddrProtocol.Ip4 : MultiaddrProtocol.Ip6));
        ip.TryWriteBytes(buffer[n..], out int ipLength);
        n += ipLength;
        n += Varint.Write(buffer[n..], (ulong)MultiaddrProtocol.Tcp);
        buffer[n++] = (byte)(endpoint.Port >> 8);
        buffer[n++] = (byte)endpoint.Port;
        return FromBytes(buffer[..n]);
    }

    public byte[] ToBytes() => (byte[])_bytes.Clone();

    public override string ToString() => _text ??= Format();

    /// <summary>This address with the final <c>/p2p</c> component removed (itself when there is none).</summary>
    public Multiaddr WithoutPeerId() =>
        PeerIdMultihash is null ? this : FromBytesTrusted(_bytes.AsSpan(0, _offsets[^1]));

    /// <summary>This address ending in <c>/p2p/&lt;multihash&gt;</c>, replacing a final <c>/p2p</c> if present.</summary>
    public Multiaddr WithPeerIdMultihash(ReadOnlySpan<byte> multihash)
    {
        if (PeerIdText.Validate(multihash) is { } error)
        {
            throw new MultiaddrFormatException($"not a peer id multihash: {error}");
        }
        Multiaddr head = WithoutPeerId();
        var writer = new ArrayBufferWriter<byte>(head._bytes.Length + multihash.Length + 8);
        writer.Write(head._bytes);
        WriteComponent(writer, MultiaddrProtocol.P2p, multihash);
        return FromBytes(writer.WrittenSpan);
    }

    /// <summary><paramref name="other"/> appended after this address (<c>/ip4/…/tcp/1</c> + <c>/ws</c>).</summary>
    public Multiaddr Encapsulate(Multiaddr other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (_bytes.Length + other._bytes.Length > MaxBinaryLength)
        {
            throw new MultiaddrFormatException($"encapsulated multiaddr would exceed {MaxBinaryLength} bytes");
        }
        return FromBytesTrusted([.. _bytes, .. other._bytes]);
    }

    /// <summary>The TCP endpoint an address starts with: <c>/ip4|ip6/…/tcp/port</c> (anything after is ignored).</summary>
    public bool TryGetIPEndPoint([NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (_components.Length < 2 || _components[1].Protocol != MultiaddrProtocol.Tcp
            || _components[0].Protocol is not (MultiaddrProtocol.Ip4 or MultiaddrProtocol.Ip6))
        {
            return false;
        }
        ReadOnlySpan<byte> port = _components[1].Value.Span;
        endpoint = new IPEndPoint(new IPAddress(_components[0].Value.Span), (port[0] << 8) | port[1]);
        return true;
    }

    public bool Equals(Multiaddr? other) =>
        other is not null && (ReferenceEquals(this, other) || _bytes.AsSpan().SequenceEqual(other._bytes));

    public override bool Equals(object? obj) => Equals(obj as Multiaddr);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public static bool operator ==(Multiaddr? left, Multiaddr? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Multiaddr? left, Multiaddr? right) => !(left == right);

    private string Format()
    {
        var text = new StringBuilder(_bytes.Length * 2);
        foreach (MultiaddrComponent component in _components)
        {
            text.Append(component.ToString());
        }
        return text.ToString();
    }

    private static void WriteComponent(ArrayBufferWriter<byte> writer, MultiaddrProtocol protocol, ReadOnlySpan<byte> value)
    {
        Varint.Write(writer, (ulong)protocol);
        if (ProtocolTable.TryGet((ulong)protocol, out ProtocolInfo? info) && info.IsLengthPrefixed)
        {
            Varint.Write(writer, (ulong)value.Length);
        }
        writer.Write(value);
    }

    private static Multiaddr FromBytesTrusted(ReadOnlySpan<byte> bytes) =>
        TryDecode(bytes, out Multiaddr? result, allowEmpty: true) is { } error
            ? throw new MultiaddrFormatException(error)
            : result!;

    /// <summary>Binary decoder. Returns null on success, else the reason the bytes are not a multiaddr.</summary>
    private static string? TryDecode(ReadOnlySpan<byte> bytes, out Multiaddr? result, bool allowEmpty = false)
    {
        result = null;
        if (bytes.IsEmpty && !allowEmpty)
        {
            return "empty multiaddr";
        }
        if (bytes.Length > MaxBinaryLength)
        {
            return $"multiaddr of {bytes.Length} bytes exceeds the limit of {MaxBinaryLength} bytes";
        }
        byte[] copy = bytes.ToArray();
        var components = new List<MultiaddrComponent>();
        var offsets = new List<int>();
        int position = 0;
        while (position < copy.Length)
        {
            if (components.Count > 0 && ProtocolTable.Get(components[^1].Protocol).Kind == ValueKind.Path)
            {
                // A path takes the rest of the text form, so nothing can follow it.
                return $"component after the path of /{ProtocolTable.Get(components[^1].Protocol).Name} at byte {position}";
            }
            ReadOnlySpan<byte> rest = copy.AsSpan(position);
            if (SpanVarint.TryRead(rest, $"protocol code at byte {position}", out ulong code, out int n) is { } error)
            {
                return error;
            }
            if (!ProtocolTable.TryGet(code, out ProtocolInfo? info))
            {
                return $"unknown multiaddr protocol code {code} (0x{code:x}) at byte {position}";
            }
            int valueStart = position + n;
            int valueLength = info.FixedSize;
            if (info.IsLengthPrefixed)
            {
                if (SpanVarint.TryRead(copy.AsSpan(valueStart), $"/{info.Name} value length", out ulong declared, out int m) is { } lengthError)
                {
                    return lengthError;
                }
                if (declared > (ulong)(copy.Length - valueStart - m))
                {
                    return $"/{info.Name} value declares {declared} bytes but only {copy.Length - valueStart - m} remain";
                }
                valueStart += m;
                valueLength = (int)declared;
            }
            else if (valueLength > copy.Length - valueStart)
            {
                return $"/{info.Name} value needs {valueLength} bytes but only {copy.Length - valueStart} remain";
            }
            var value = new ReadOnlyMemory<byte>(copy, valueStart, valueLength);
            if (ComponentValue.Validate(info, value.Span) is { } valueError)
            {
                return valueError;
            }
            offsets.Add(position);
            components.Add(new MultiaddrComponent(info.Protocol, value));
            position = valueStart + valueLength;
        }
        result = new Multiaddr(copy, [.. components], [.. offsets]);
        return null;
    }

    /// <summary>
    /// Text decoder: <c>/name/value/name/…</c>, a trailing '/' tolerated as go-multiaddr does,
    /// <c>/ipfs</c> read as <c>/p2p</c>, a path protocol (<c>/unix</c>) taking the rest.
    /// Returns null on success, else the reason.
    /// </summary>
    private static string? TryParseCore(string text, out Multiaddr? result)
    {
        result = null;
        if (text.Length > MaxTextLength)
        {
            return $"multiaddr text of {text.Length} characters exceeds the limit of {MaxTextLength}";
        }
        ReadOnlySpan<char> rest = text.AsSpan().TrimEnd('/');
        if (rest.IsEmpty)
        {
            return text.Length == 0 ? "empty multiaddr" : $"multiaddr '{text}' has no components";
        }
        if (text[0] != '/')
        {
            return $"multiaddr '{Shorten(text)}' must begin with '/'";
        }
        Span<byte> buffer = stackalloc byte[MaxBinaryLength];
        Span<byte> scratch = stackalloc byte[MaxBinaryLength];
        int length = 0;
        rest = rest[1..];
        while (!rest.IsEmpty)
        {
            ReadOnlySpan<char> name = NextSegment(ref rest);
            if (name.IsEmpty)
            {
                return $"multiaddr '{Shorten(text)}' has an empty protocol name";
            }
            if (!ProtocolTable.TryGet(name, out ProtocolInfo? info))
            {
                return $"unknown multiaddr protocol '{name}' in '{Shorten(text)}'";
            }
            int valueLength = 0;
            if (info.Kind != ValueKind.None)
            {
                ReadOnlySpan<char> valueText;
                if (info.Kind == ValueKind.Path)
                {
                    // protocols.csv path protocols: the value is everything after the name.
                    valueText = rest.IsEmpty ? default : text.AsSpan(text.Length - rest.Length - 1).TrimEnd('/');
                    rest = default;
                }
                else
                {
                    valueText = NextSegment(ref rest);
                }
                if (valueText.IsEmpty)
                {
                    return $"/{info.Name} needs a value in '{Shorten(text)}'";
                }
                if (ComponentValue.TryEncode(info, valueText, scratch, out valueLength) is { } error)
                {
                    return error;
                }
            }
            int needed = Varint.SizeOf((ulong)info.Protocol) + (info.IsLengthPrefixed ? Varint.SizeOf((ulong)valueLength) : 0) + valueLength;
            if (needed > MaxBinaryLength - length)
            {
                return $"multiaddr exceeds the limit of {MaxBinaryLength} bytes";
            }
            length += Varint.Write(buffer[length..], (ulong)info.Protocol);
            if (info.IsLengthPrefixed)
            {
                length += Varint.Write(buffer[length..], (ulong)valueLength);
            }
            scratch[..valueLength].CopyTo(buffer[length..]);
            length += valueLength;
        }
        return TryDecode(buffer[..length], out result);
    }

    private static ReadOnlySpan<char> NextSegment(scoped ref ReadOnlySpan<char> rest)
    {
        int slash = rest.IndexOf('/');
        ReadOnlySpan<char> segment = slash < 0 ? rest : rest[..slash];
        rest = slash < 0 ? default : rest[(slash + 1)..];
        return segment;
    }

    private static string Shorten(string text) => text.Length <= 100 ? text : string.Concat(text.AsSpan(0, 100), "…");
}
