using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Nnrp.Libp2p.Yamux;

/// <summary>
/// A yamux session over one secured connection (hashicorp/yamux spec.md, libp2p/specs yamux).
/// One read loop parses frames and feeds streams; one writer loop drains a queue of control
/// frames and streams with something to send, coalescing frames into few transport flushes.
/// Session errors (bad frames, window overruns) send Go Away "protocol error" and end the
/// session; stream errors reset only the stream.
/// </summary>
public sealed partial class YamuxSession : IAsyncDisposable
{
    /// <summary>
    /// Control frames (pongs, refusals) we may owe the peer before we decide it is flooding us
    /// without reading the answers (Kestrel aborts an HTTP/2 connection on the same overflow).
    /// </summary>
    internal const int MaxQueuedControlFrames = 1024;

    /// <summary>How long a closing session may spend flushing its last frames before it is aborted.</summary>
    internal static readonly TimeSpan CloseFlushTimeout = TimeSpan.FromSeconds(5);

    private readonly IDuplexPipe _transport;
    private readonly YamuxRole _role;
    private readonly YamuxOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<uint, YamuxStream> _streams = new();
    private readonly Channel<WriteItem> _writeQueue = Channel.CreateUnbounded<WriteItem>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly Channel<YamuxStream> _acceptQueue;
    private readonly SemaphoreSlim _ackSlots = new(YamuxOptions.AckBacklog, YamuxOptions.AckBacklog);
    private readonly ConcurrentDictionary<uint, PendingPing> _pings = new();
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stateLock = new();

    private long _nextStreamId;
    private int _inboundCount;
    private int _queuedControl;
    private int _nextPingId;
    private int _started;
    private int _goAwaySent;
    private volatile bool _localGoAway;
    private volatile bool _remoteGoAway;
    private volatile bool _terminating;
    private volatile bool _ended;
    private Exception? _error;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;

    public YamuxSession(IDuplexPipe transport, YamuxRole role, YamuxOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _transport = transport;
        _role = role;
        _options = options;
        _logger = logger;
        // Spec "StreamID Field": the client uses odd ids, the server even; 0 is the session.
        _nextStreamId = role == YamuxRole.Client ? -1 : 0;
        _acceptQueue = Channel.CreateBounded<YamuxStream>(new BoundedChannelOptions(Math.Max(1, options.MaxAcceptBacklog))
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the SYN is refused
        });
    }

    /// <summary>Completes when the session has ended; faults on a protocol error, a failed transport or an abort with a reason.</summary>
    public Task Completion => _completion.Task;

    public int ActiveStreamCount => _streams.Count;

    /// <summary>Starts the read loop, the writer loop and (unless disabled) the keep-alive pings.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }
        Log.SessionStarted(_logger, _role);
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
        if (_options.KeepAliveInterval > TimeSpan.Zero)
        {
            _ = Task.Run(KeepAliveLoopAsync);
        }
        _ = FinishAsync();
    }

    /// <summary>
    /// Opens a stream. The SYN goes out at once and data may follow before the peer's ACK
    /// (spec "Opening a stream"); with 256 streams unacknowledged this waits (ACK backlog).
    /// </summary>
    public async ValueTask<YamuxStream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        ThrowIfCannotOpen();
        if (!_ackSlots.Wait(0, CancellationToken.None))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
            try
            {
                await _ackSlots.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new YamuxSessionClosedException("the yamux session ended while waiting to open a stream");
            }
        }
        YamuxStream stream;
        lock (_stateLock)
        {
            try
            {
                ThrowIfCannotOpen();
                long id = Interlocked.Add(ref _nextStreamId, 2);
                if (id > uint.MaxValue)
                {
                    throw new YamuxSessionClosedException("the yamux session has used up its stream ids");
                }
                stream = new YamuxStream(this, (uint)id, inbound: false, _options);
                _streams[stream.Id] = stream;
            }
            catch
            {
                _ackSlots.Release();
                throw;
            }
        }
        Schedule(stream);
        return stream;
    }

    /// <summary>Next stream the peer opened (acknowledged now), or null once the session has ended or the peer went away.</summary>
    public async ValueTask<YamuxStream?> AcceptStreamAsync(CancellationToken cancellationToken)
    {
        ChannelReader<YamuxStream> reader = _acceptQueue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            if (reader.TryRead(out YamuxStream? stream))
            {
                stream.MarkAccepted();
                return stream;
            }
        }
        return null;
    }

    /// <summary>Sends a ping (spec type 0x2 with SYN) and returns the time until the peer's ACK.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        uint opaque = (uint)Interlocked.Increment(ref _nextPingId);
        var ping = new PendingPing();
        _pings[opaque] = ping;
        try
        {
            if (_ended || !EnqueueControl(new FrameHeader(FrameType.Ping, FrameFlags.Syn, 0, opaque)))
            {
                throw new YamuxSessionClosedException("the yamux session has ended");
            }
            return await ping.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _pings.TryRemove(opaque, out _);
        }
    }

    /// <summary>Tells the peer we open no more streams and accept none; existing streams go on.</summary>
    public ValueTask GoAwayAsync(YamuxGoAwayCode code = YamuxGoAwayCode.Normal)
    {
        SendGoAwayOnce(code);
        return default;
    }

    /// <summary>Ends the session at once: no Go Away, pending writes dropped, every stream failed.</summary>
    public void Abort(Exception? reason = null)
    {
        if (EndUnstarted())
        {
            return;
        }
        Terminate(reason, goAway: null, abortNow: true);
    }

    /// <summary>Go Away (normal), flush, close the transport output, then fail the streams still open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (EndUnstarted())
        {
            return;
        }
        Terminate(null, YamuxGoAwayCode.Normal, abortNow: false);
        await Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    internal void Schedule(YamuxStream stream)
    {
        if (Interlocked.Exchange(ref stream.Scheduled, 1) == 0)
        {
            _writeQueue.Writer.TryWrite(new WriteItem(stream, default));
        }
    }

    internal void Forget(YamuxStream stream)
    {
        if (_streams.TryRemove(KeyValuePair.Create(stream.Id, stream)) && stream.IsInbound)
        {
            Interlocked.Decrement(ref _inboundCount);
        }
    }

    internal void ReleaseAckSlot() => _ackSlots.Release();

    private void ThrowIfCannotOpen()
    {
        if (_terminating)
        {
            throw new YamuxSessionClosedException("the yamux session is closed");
        }
        if (_remoteGoAway || _localGoAway)
        {
            throw new YamuxSessionClosedException("the yamux session is going away; no new streams");
        }
    }

    private bool EnqueueControl(in FrameHeader header)
    {
        Interlocked.Increment(ref _queuedControl);
        return _writeQueue.Writer.TryWrite(new WriteItem(null, header));
    }

    /// <summary>Queues an answer the peer asked for; a peer that asks faster than it reads is a flood.</summary>
    private void EnqueuePeerTriggeredControl(in FrameHeader header)
    {
        if (Volatile.Read(ref _queuedControl) >= MaxQueuedControlFrames)
        {
            throw new YamuxProtocolException($"the peer has {MaxQueuedControlFrames} answers pending and keeps asking");
        }
        EnqueueControl(header);
    }

    private void SendGoAwayOnce(YamuxGoAwayCode code)
    {
        _localGoAway = true;
        if (Interlocked.Exchange(ref _goAwaySent, 1) == 0)
        {
            EnqueueControl(new FrameHeader(FrameType.GoAway, FrameFlags.None, 0, (uint)code));
        }
    }

    /// <summary>
    /// Starts the end of the session, once. The writer loop drains what is queued (only control
    /// frames after an error) unless <paramref name="abortNow"/>; the read loop stops at once.
    /// </summary>
    private void Terminate(Exception? error, YamuxGoAwayCode? goAway, bool abortNow)
    {
        lock (_stateLock)
        {
            if (_terminating)
            {
                return;
            }
            _error = error;
            _terminating = true;
        }
        if (error is YamuxProtocolException)
        {
            Log.ProtocolViolation(_logger, error.Message);
        }
        if (goAway is { } code)
        {
            SendGoAwayOnce(code);
        }
        _writeQueue.Writer.TryComplete();
        _acceptQueue.Writer.TryComplete();
        if (abortNow)
        {
            _abort.Cancel();
        }
        else
        {
            _abort.CancelAfter(CloseFlushTimeout);
        }
        _transport.Input.CancelPendingRead();
    }

    private bool EndUnstarted()
    {
        if (Interlocked.CompareExchange(ref _started, 1, 0) != 0)
        {
            return false;
        }
        _terminating = true;
        _ended = true;
        _transport.Input.Complete();
        _transport.Output.Complete();
        _completion.TrySetResult();
        return true;
    }

    private async Task FinishAsync()
    {
        await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Exception? error;
        lock (_stateLock)
        {
            _ended = true;
            error = _error;
        }
        _abort.Cancel();
        var streamError = new YamuxSessionClosedException("the yamux session has ended", error);
        foreach (YamuxStream stream in _streams.Values)
        {
            stream.OnSessionEnded(streamError);
        }
        _streams.Clear();
        while (_acceptQueue.Reader.TryRead(out YamuxStream? stream))
        {
            stream.OnSessionEnded(streamError);
        }
        foreach (PendingPing ping in _pings.Values)
        {
            ping.Fail(streamError);
        }
        Log.SessionEnded(_logger, error);
        if (error is null)
        {
            _completion.TrySetResult();
        }
        else
        {
            _completion.TrySetException(error);
        }
    }

    private async Task KeepAliveLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.KeepAliveInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_abort.Token))
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
                timeout.CancelAfter(_options.PingTimeout);
                try
                {
                    await PingAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!_abort.IsCancellationRequested)
                {
                    Log.KeepAliveTimeout(_logger, _options.PingTimeout);
                    Terminate(new YamuxSessionClosedException($"keep-alive ping not answered within {_options.PingTimeout}"), goAway: null, abortNow: true);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (YamuxSessionClosedException)
        {
        }
    }

    private readonly record struct WriteItem(YamuxStream? Stream, FrameHeader Control);

    private sealed class PendingPing
    {
        private readonly TaskCompletionSource<TimeSpan> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly long _sentAt = Stopwatch.GetTimestamp();

        public Task<TimeSpan> Task => _answer.Task;

        public void Answered() => _answer.TrySetResult(Stopwatch.GetElapsedTime(_sentAt));

        public void Fail(Exception error) => _answer.TrySetException(error);
    }
}
