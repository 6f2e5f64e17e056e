using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;

namespace Nnrp.Libp2p.Yamux;

/// <summary>
/// One yamux stream. <see cref="Input"/> holds what the peer sent (bounded by the receive
/// window); <see cref="Output"/> feeds the session's single writer loop, which sends only
/// what the peer's window allows, so a writer to a slow peer waits in FlushAsync instead of
/// buffering without bound.
/// <para>
/// Threads: the session read loop delivers frames, the writer loop drains <see cref="Output"/>
/// and alone touches the outbound pipe's reader, the application reads and writes. Shared
/// state sits under <c>_sync</c>; the inbound pipe's writer is only used under it.
/// </para>
/// </summary>
public sealed class YamuxStream : IDuplexPipe, IAsyncDisposable
{
    /// <summary>
    /// Unsent bytes an application may queue before FlushAsync waits. Large enough to keep the
    /// writer loop busy between two flushes, small next to the window.
    /// </summary>
    internal const int SendBufferSize = 256 * 1024;

    private static readonly PipeOptions InboundPipeOptions = new(
        pauseWriterThreshold: 0, // never pauses: the receive window bounds what can arrive
        readerScheduler: PipeScheduler.ThreadPool,
        writerScheduler: PipeScheduler.Inline,
        pool: Buffers.SegmentPool.Instance,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    private static readonly PipeOptions OutboundPipeOptions = new(
        pauseWriterThreshold: SendBufferSize,
        resumeWriterThreshold: SendBufferSize / 2,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.ThreadPool, // never resume application code on the writer loop
        pool: Buffers.SegmentPool.Instance,
        minimumSegmentSize: 16 * 1024,
        useSynchronizationContext: false);

    private readonly YamuxSession _session;
    private readonly Lock _sync = new();
    private readonly Pipe _inbound = new(InboundPipeOptions);
    private readonly Pipe _outbound = new(OutboundPipeOptions);
    private readonly StreamInput _input;
    private readonly StreamOutput _output;
    private readonly TaskCompletionSource _outputFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Under _sync.
    private ReceiveWindow _receive;
    private long _sendWindow = YamuxOptions.SpecInitialWindow;
    private FrameFlags _pendingFlags;
    private uint _pendingWindowDelta;
    private bool _awaitingAck;
    private bool _finReceived;
    private bool _finSent;
    private bool _inboundCompleted;
    private bool _inputClosedByApp;
    private bool _resetRequested;
    private Exception? _outputError;

    // Writer loop only.
    private bool _outputDone;
    private bool _rstSent;

    internal int Scheduled;

    internal YamuxStream(YamuxSession session, uint id, bool inbound, YamuxOptions options)
    {
        _session = session;
        Id = id;
        IsInbound = inbound;
        _input = new StreamInput(this, _inbound.Reader);
        _output = new StreamOutput(this, _outbound.Writer);
        _receive = new ReceiveWindow(options.InitialWindowSize, options.MaxWindowSize);
        // The peer assumes 256 KiB; a larger initial window rides on our SYN or ACK frame.
        _pendingWindowDelta = (uint)(options.InitialWindowSize - YamuxOptions.SpecInitialWindow);
        if (!inbound)
        {
            _pendingFlags = FrameFlags.Syn;
            _awaitingAck = true;
        }
    }

    public uint Id { get; }

    /// <summary>Data from the peer; completes normally on FIN, with <see cref="YamuxStreamResetException"/> on RST.</summary>
    public PipeReader Input => _input;

    /// <summary>Data to the peer; <c>Complete()</c> sends FIN (half-close), <c>Complete(error)</c> resets.</summary>
    public PipeWriter Output => _output;

    internal bool IsInbound { get; }

    /// <summary>
    /// Completes once the writer loop is done with <see cref="Output"/>: every byte and the FIN
    /// handed to the connection, or the stream reset or failed. Until then unsent bytes sit in
    /// this stream's send buffer.
    /// </summary>
    public Task OutputFinished => _outputFinished.Task;

    /// <summary>Sends RST and fails both directions.</summary>
    public void Reset()
    {
        lock (_sync)
        {
            if (_resetRequested || _outputError is not null || (_finSent && _finReceived))
            {
                return;
            }
            _resetRequested = true;
            CompleteInbound(new YamuxStreamResetException(Id, byRemote: false));
        }
        _session.Schedule(this);
    }

    /// <summary>Half-closes (FIN) and stops reading; the session forgets the stream once the peer has closed too.</summary>
    public ValueTask DisposeAsync()
    {
        _output.Complete();
        _input.Complete();
        return default;
    }

    // ───────────────────────── application side ─────────────────────────

    internal void OnConsumed(long count)
    {
        uint delta;
        lock (_sync)
        {
            delta = _receive.Consume(count);
            if (delta == 0 || _finReceived || _outputError is not null)
            {
                return;
            }
            _pendingWindowDelta += delta;
        }
        _session.Schedule(this);
    }

    internal void ScheduleWrite() => _session.Schedule(this);

    /// <summary>Makes a write after RST fail at once rather than when the writer loop next runs.</summary>
    internal void ThrowIfOutputFailed()
    {
        Exception? error = Volatile.Read(ref _outputError);
        if (error is not null)
        {
            throw error;
        }
        if (Volatile.Read(ref _resetRequested))
        {
            throw new YamuxStreamResetException(Id, byRemote: false);
        }
    }

    internal void OnInputCompleted(PipeReader inner, Exception? exception)
    {
        long buffered;
        lock (_sync)
        {
            if (_inputClosedByApp)
            {
                return;
            }
            _inputClosedByApp = true;
            inner.Complete(exception);
            buffered = _receive.Buffered;
        }
        // Whatever was left unread is given back so the peer is not stuck on a full window.
        if (buffered > 0)
        {
            OnConsumed(buffered);
        }
    }

    internal void MarkAccepted()
    {
        lock (_sync)
        {
            _pendingFlags |= FrameFlags.Ack;
        }
        _session.Schedule(this);
    }

    // ───────────────────────── read loop side ─────────────────────────

    /// <summary>Whether a data frame of <paramref name="length"/> fits the window we granted.</summary>
    internal bool FitsReceiveWindow(uint length)
    {
        lock (_sync)
        {
            return length <= _receive.Credit;
        }
    }

    internal void OnData(in ReadOnlySequence<byte> payload)
    {
        uint length = (uint)payload.Length;
        uint delta = 0;
        lock (_sync)
        {
            if (!_receive.TryReceive(length))
            {
                throw new YamuxProtocolException(
                    $"stream {Id}: a {length}-byte data frame exceeds the receive window ({_receive.Credit} bytes left)");
            }
            if (_inboundCompleted || _inputClosedByApp)
            {
                // Nobody will read it (reset, FIN seen, or the application stopped reading):
                // drop it but keep the window moving.
                delta = _receive.Consume(length);
                _pendingWindowDelta += delta;
            }
            else if (length > 0)
            {
                PipeWriter writer = _inbound.Writer;
                foreach (ReadOnlyMemory<byte> segment in payload)
                {
                    writer.Write(segment.Span);
                }
                ValueTask<FlushResult> flush = writer.FlushAsync(CancellationToken.None);
                Debug.Assert(flush.IsCompleted, "the inbound pipe never pauses");
                flush.GetAwaiter().GetResult();
            }
        }
        if (delta > 0)
        {
            _session.Schedule(this);
        }
    }

    internal void OnWindowUpdate(uint delta)
    {
        if (delta == 0)
        {
            return;
        }
        lock (_sync)
        {
            long window = _sendWindow + delta;
            if (window > uint.MaxValue)
            {
                throw new YamuxProtocolException($"stream {Id}: window update overflows the 32-bit send window");
            }
            _sendWindow = window;
        }
        _session.Schedule(this);
    }

    internal void OnAck()
    {
        lock (_sync)
        {
            if (!_awaitingAck)
            {
                return;
            }
            _awaitingAck = false;
        }
        _session.ReleaseAckSlot();
    }

    internal void OnRemoteFin()
    {
        bool closed;
        lock (_sync)
        {
            if (_finReceived)
            {
                return;
            }
            _finReceived = true;
            CompleteInbound(null);
            closed = _finSent;
        }
        if (closed)
        {
            _session.Forget(this);
        }
    }

    internal void OnRemoteReset()
    {
        var error = new YamuxStreamResetException(Id, byRemote: true);
        lock (_sync)
        {
            CompleteInbound(error);
            _outputError ??= error;
        }
        OnAck();
        _session.Forget(this);
        _session.Schedule(this);
    }

    // ───────────────────────── writer loop side ─────────────────────────

    /// <summary>
    /// Writes what this stream has to send (flags, window update, data up to the peer's window
    /// and <paramref name="budget"/>, FIN, RST) into the transport without flushing. Returns the
    /// bytes written; <paramref name="more"/> says data and window remain for another turn.
    /// </summary>
    internal int WritePending(PipeWriter transport, int maxFramePayload, int budget, out bool more)
    {
        more = false;
        FrameFlags flags;
        uint delta;
        bool reset;
        Exception? outputError;
        long window;
        lock (_sync)
        {
            flags = _pendingFlags;
            delta = _pendingWindowDelta;
            reset = _resetRequested;
            outputError = _outputError;
            window = _sendWindow;
            _pendingFlags = FrameFlags.None;
            _pendingWindowDelta = 0;
        }

        if (reset || outputError is not null)
        {
            int written = 0;
            if (reset && outputError is null && !_rstSent)
            {
                FrameCodec.Write(transport, new FrameHeader(FrameType.WindowUpdate, flags | FrameFlags.Rst, Id, 0));
                _rstSent = true;
                written = FrameHeader.Size;
            }
            CompleteOutbound(outputError ?? new YamuxStreamResetException(Id, byRemote: false));
            if (reset)
            {
                OnAck();
                _session.Forget(this);
            }
            return written;
        }

        int total = 0;
        if (!_outputDone && _outbound.Reader.TryRead(out ReadResult result))
        {
            ReadOnlySequence<byte> buffer = result.Buffer;
            long consumed = 0;
            while (true)
            {
                long available = buffer.Length - consumed;
                int n = (int)Math.Min(Math.Min(available, window - consumed), Math.Min(maxFramePayload, budget - total));
                if (n <= 0)
                {
                    break;
                }
                if (delta > 0)
                {
                    FrameCodec.Write(transport, new FrameHeader(FrameType.WindowUpdate, flags, Id, delta));
                    total += FrameHeader.Size;
                    flags = FrameFlags.None;
                    delta = 0;
                }
                FrameCodec.Write(transport, new FrameHeader(FrameType.Data, flags, Id, (uint)n));
                flags = FrameFlags.None;
                foreach (ReadOnlyMemory<byte> segment in buffer.Slice(consumed, n))
                {
                    transport.Write(segment.Span);
                }
                consumed += n;
                total += FrameHeader.Size + n;
                if (total >= budget)
                {
                    break;
                }
            }
            // FIN goes on its own window-update frame once every byte is out, as go-yamux sends
            // it. js-libp2p's yamux (≤ 8.x) acts on FIN before the payload of the same frame and
            // would drop the last bytes of a stream if FIN rode on a data frame.
            bool fin = result.IsCompleted && consumed == buffer.Length;
            if (fin)
            {
                FrameCodec.Write(transport, new FrameHeader(FrameType.WindowUpdate, flags | FrameFlags.Fin, Id, delta));
                total += FrameHeader.Size;
                flags = FrameFlags.None;
                delta = 0;
            }
            bool closed = false;
            lock (_sync)
            {
                _sendWindow -= consumed;
                window = _sendWindow;
                if (fin)
                {
                    _finSent = true;
                    closed = _finReceived;
                }
            }
            _outbound.Reader.AdvanceTo(buffer.GetPosition(consumed));
            if (fin)
            {
                CompleteOutbound(null);
                if (closed)
                {
                    _session.Forget(this);
                }
            }
            else
            {
                more = buffer.Length > consumed && window > 0;
            }
        }
        if (flags != FrameFlags.None || delta > 0)
        {
            FrameCodec.Write(transport, new FrameHeader(FrameType.WindowUpdate, flags, Id, delta));
            total += FrameHeader.Size;
        }
        return total;
    }

    /// <summary>Called once the session loops have stopped: fails whatever is still open.</summary>
    internal void OnSessionEnded(Exception error)
    {
        lock (_sync)
        {
            CompleteInbound(error);
            _outputError ??= error;
        }
        CompleteOutbound(error);
    }

    private void CompleteOutbound(Exception? error)
    {
        if (!_outputDone)
        {
            _outputDone = true;
            _outbound.Reader.Complete(error);
            _outputFinished.TrySetResult();
        }
    }

    private void CompleteInbound(Exception? error)
    {
        if (!_inboundCompleted)
        {
            _inboundCompleted = true;
            _inbound.Writer.Complete(error);
        }
    }
}
