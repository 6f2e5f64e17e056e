using System.Buffers;
using System.Collections;
using Nnrp.Core.Notifications;
using Nnrp.Protocol.Requests;

namespace Nnrp.Node;

/// <summary>
/// One fetch page (NNRP.md §11.5) as the wire carries it: each notification as its §3.4
/// protobuf bytes, in (timestamp, hash) order, and the next cursor. The store keeps exactly
/// those bytes, so a /nnrp/1.0 answer copies them out without decoding or re-encoding
/// (docs/BENCHMARKS.md "Fetch"). The bytes live in one pooled buffer: dispose the page once
/// the answer is written.
/// </summary>
public sealed class EncodedPage : IReadOnlyList<ReadOnlyMemory<byte>>, IDisposable
{
    /// <summary>First buffer of a page: 64 typical (≈ 350-byte) notifications; it doubles as needed.</summary>
    private const int InitialBytes = 64 * 1024;

    private const int InitialItems = 64;

    private byte[] _bytes;
    private int[] _ends;
    private int _count;
    private int _used;
    private long _payloadBytes;
    private bool _disposed;

    public EncodedPage()
    {
        _bytes = ArrayPool<byte>.Shared.Rent(InitialBytes);
        _ends = ArrayPool<int>.Shared.Rent(InitialItems);
    }

    /// <summary>The opaque cursor of the next page, empty when there is none.</summary>
    public ReadOnlyMemory<byte> NextCursor { get; set; } = ReadOnlyMemory<byte>.Empty;

    public int Count => _count;

    /// <summary>Sum of the items' encoded sizes.</summary>
    public long EncodedBytes => _used;

    /// <summary>Sum of the items' payload sizes (what the answer budget counts, §11.5).</summary>
    public long PayloadBytes => _payloadBytes;

    /// <summary>The <paramref name="index"/>-th notification's protobuf bytes (valid until the page is disposed).</summary>
    public ReadOnlyMemory<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            int start = index == 0 ? 0 : _ends[index - 1];
            return _bytes.AsMemory(start, _ends[index] - start);
        }
    }

    /// <summary>Appends one notification's protobuf bytes (copied) and the length of its payload field.</summary>
    public void Add(ReadOnlySpan<byte> encoded, int payloadLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, encoded.Length);
        if (_used + encoded.Length > _bytes.Length)
        {
            _bytes = Grow(_bytes, _used, _used + encoded.Length);
        }
        if (_count == _ends.Length)
        {
            _ends = Grow(_ends, _count, _count + 1);
        }
        encoded.CopyTo(_bytes.AsSpan(_used));
        _used += encoded.Length;
        _ends[_count++] = _used;
        _payloadBytes += payloadLength;
    }

    /// <summary>The page of a store that keeps decoded notifications: each one encoded once, here.</summary>
    public static EncodedPage Encode(NotificationPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var encoded = new EncodedPage { NextCursor = page.NextCursor };
        foreach (Notification n in page.Notifications)
        {
            encoded.Add(NotificationProtobuf.Encode(n), n.Payload.Length);
        }
        return encoded;
    }

    public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
    {
        for (int i = 0; i < _count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _count = 0;
        _used = 0;
        _payloadBytes = 0;
        ArrayPool<byte>.Shared.Return(_bytes);
        ArrayPool<int>.Shared.Return(_ends);
        _bytes = [];
        _ends = [];
    }

    private static T[] Grow<T>(T[] old, int used, int needed)
    {
        T[] bigger = ArrayPool<T>.Shared.Rent(Math.Max(needed, old.Length * 2));
        old.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<T>.Shared.Return(old);
        return bigger;
    }
}
