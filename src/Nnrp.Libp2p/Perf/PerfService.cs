using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Perf;

/// <summary>Bytes moved and the time it took, as the client saw it.</summary>
public readonly record struct PerfResult(long Uploaded, long Downloaded, TimeSpan UploadTime, TimeSpan TotalTime);

/// <summary>
/// <c>/perf/1.0.0</c> (libp2p/specs perf/perf.md): the client sends the number of bytes it
/// wants back as a big-endian u64, uploads its bytes and closes its write side; the server
/// drains the upload to EOF, then sends the requested bytes and closes.
/// </summary>
public sealed class PerfService
{
    public const string ProtocolId = "/perf/1.0.0";

    /// <summary>The most a server sends on one request; perf is a measuring tool, not a firehose for strangers.</summary>
    public const ulong MaxDownloadBytes = 4UL << 30;

    private const int ChunkSize = 64 * 1024;

    /// <summary>Zeros to send from, so pooled memory (with other streams' bytes) never goes on the wire.</summary>
    private static readonly byte[] s_zeros = new byte[ChunkSize];

    private readonly Libp2pHost _host;

    public PerfService(Libp2pHost host) => _host = host;

    public void Start() => _host.SetStreamHandler(ProtocolId, ServeAsync);

    public async Task<PerfResult> RunAsync(PeerId peer, long uploadBytes, long downloadBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(uploadBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(downloadBytes);
        await using Libp2pStream stream = await _host.NewStreamAsync(peer, [ProtocolId], cancellationToken);
        long start = Stopwatch.GetTimestamp();
        BinaryPrimitives.WriteUInt64BigEndian(stream.Output.GetSpan(8), (ulong)downloadBytes);
        stream.Output.Advance(8);
        Task<long> download = DrainAsync(stream.Input, cancellationToken);
        await SendAsync(stream.Output, uploadBytes, cancellationToken);
        stream.CloseWrite();
        TimeSpan uploadTime = Stopwatch.GetElapsedTime(start);
        long received = await download;
        TimeSpan total = Stopwatch.GetElapsedTime(start);
        if (received != downloadBytes)
        {
            throw new ProtocolViolationException($"perf: asked {peer} for {downloadBytes} bytes, got {received}");
        }
        return new PerfResult(uploadBytes, received, uploadTime, total);
    }

    private static async Task ServeAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        ReadResult head = await stream.Input.ReadAtLeastAsync(8, cancellationToken);
        if (head.Buffer.Length < 8)
        {
            stream.Input.AdvanceTo(head.Buffer.End);
            throw new ProtocolViolationException("perf: stream ended before the 8-byte size header");
        }
        Span<byte> header = stackalloc byte[8];
        head.Buffer.Slice(0, 8).CopyTo(header);
        stream.Input.AdvanceTo(head.Buffer.GetPosition(8));
        ulong requested = BinaryPrimitives.ReadUInt64BigEndian(header);
        if (requested > MaxDownloadBytes)
        {
            throw new ProtocolViolationException($"perf: {requested} bytes requested, the limit is {MaxDownloadBytes}");
        }
        await DrainAsync(stream.Input, cancellationToken);
        await SendAsync(stream.Output, (long)requested, cancellationToken);
        stream.CloseWrite();
    }

    private static async Task SendAsync(PipeWriter output, long count, CancellationToken cancellationToken)
    {
        long left = count;
        while (left > 0)
        {
            int n = (int)Math.Min(left, ChunkSize);
            FlushResult flush = await output.WriteAsync(s_zeros.AsMemory(0, n), cancellationToken);
            if (flush.IsCompleted)
            {
                throw new IOException("perf: the peer stopped reading");
            }
            left -= n;
        }
        await output.FlushAsync(cancellationToken);
    }

    private static async Task<long> DrainAsync(PipeReader input, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            ReadResult read = await input.ReadAsync(cancellationToken);
            total += read.Buffer.Length;
            input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return total;
            }
        }
    }
}
