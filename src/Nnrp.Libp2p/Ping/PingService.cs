using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Ping;

/// <summary>
/// <c>/ipfs/ping/1.0.0</c> (libp2p/specs ping/ping.md): the dialer sends 32 random bytes, the
/// listener echoes them, over and over on one stream until either side closes it.
/// </summary>
public sealed class PingService
{
    public const string ProtocolId = "/ipfs/ping/1.0.0";

    public const int PayloadSize = 32;

    /// <summary>A ping stream with no ping for this long is closed (go-libp2p uses 60 s too).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private readonly Libp2pHost _host;

    public PingService(Libp2pHost host) => _host = host;

    public void Start() => _host.SetStreamHandler(ProtocolId, EchoAsync);

    /// <summary>One round trip to <paramref name="peer"/> on a fresh ping stream.</summary>
    public async Task<TimeSpan> PingAsync(PeerId peer, CancellationToken cancellationToken)
    {
        IReadOnlyList<TimeSpan> rtts = await PingAsync(peer, 1, cancellationToken);
        return rtts[0];
    }

    /// <summary><paramref name="count"/> round trips on one stream.</summary>
    public async Task<IReadOnlyList<TimeSpan>> PingAsync(PeerId peer, int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        await using Libp2pStream stream = await _host.NewStreamAsync(peer, [ProtocolId], cancellationToken);
        var rtts = new TimeSpan[count];
        byte[] sent = new byte[PayloadSize];
        for (int i = 0; i < count; i++)
        {
            RandomNumberGenerator.Fill(sent);
            long start = Stopwatch.GetTimestamp();
            await stream.Output.WriteAsync(sent, cancellationToken);
            ReadResult read = await stream.Input.ReadAtLeastAsync(PayloadSize, cancellationToken);
            if (read.Buffer.Length < PayloadSize)
            {
                stream.Input.AdvanceTo(read.Buffer.End);
                throw new IOException($"{peer} closed the ping stream mid-answer");
            }
            bool same = read.Buffer.Slice(0, PayloadSize).ToArray().AsSpan().SequenceEqual(sent);
            stream.Input.AdvanceTo(read.Buffer.GetPosition(PayloadSize));
            rtts[i] = Stopwatch.GetElapsedTime(start);
            if (!same)
            {
                throw new ProtocolViolationException($"{peer} answered ping with different bytes");
            }
        }
        stream.CloseWrite();
        return rtts;
    }

    private static async Task EchoAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        byte[] payload = new byte[PayloadSize];
        while (true)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            idle.CancelAfter(IdleTimeout);
            ReadResult read = await stream.Input.ReadAtLeastAsync(PayloadSize, idle.Token);
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (buffer.Length < PayloadSize)
            {
                // Spec: the dialer closes when done; a partial payload at the end is dropped.
                stream.Input.AdvanceTo(buffer.End);
                return;
            }
            buffer.Slice(0, PayloadSize).CopyTo(payload);
            stream.Input.AdvanceTo(buffer.GetPosition(PayloadSize));
            FlushResult flush = await stream.Output.WriteAsync(payload, idle.Token);
            if (flush.IsCompleted)
            {
                return;
            }
        }
    }
}
