using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Service;

/// <summary>
/// The one long-lived outbound pubsub stream to a peer (pubsub/README.md "Stream management":
/// each side writes on the stream it opened). Two bounded queues, like rust-libp2p gossipsub's
/// <c>queue.rs</c>: control and our own messages first; relayed messages are best effort and
/// dropped when the peer does not keep up. The stream opens lazily in the writer loop, so RPCs
/// queued before it is up (our subscriptions) wait in order.
/// <para>
/// While the stream is idle (nothing queued, nothing unflushed, no flush waiting) an RPC is
/// written and flushed by the caller itself: one fewer thread-pool hop per RPC per peer, which
/// in a busy network is most of a hop's latency (every hop waits behind the whole pool queue).
/// The writer loop takes over as soon as a flush has to wait (the peer or the muxer is behind).
/// </para>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "_stop has no timer; it is cancelled, never disposed, because Stop can race the loop's end")]
internal sealed class PeerSender
{
    /// <summary>Control and own messages waiting; a peer this far behind is cut off (rust: priority queue cap).</summary>
    public const int PriorityQueueCapacity = 4096;

    /// <summary>Relayed messages waiting; beyond it the newest relay is dropped (it reaches the peer by gossip).</summary>
    public const int ForwardQueueCapacity = 1024;

    /// <summary>Bytes the writer loop encodes from its queues before it flushes (and so yields to the muxer).</summary>
    private const int FlushThreshold = 64 * 1024;

    private readonly Lock _sync = new();
    private readonly Queue<(RPC Rpc, ReadOnlyMemory<byte> Frame)> _priority = new();
    private readonly Queue<(RPC Rpc, ReadOnlyMemory<byte> Frame)> _forward = new();

    // Wakes the parked writer loop; one pending ring is enough, and waiting on it with no token
    // reuses the channel's one waiter object (a cancellable wait would allocate per wait).
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly int _maxRpcSize;
    private long _dropped;

    // Under _sync.
    private PipeWriter? _output;
    private IDuplexPipe? _stream;
    private bool _idle;
    private bool _stopped;
    private Task<FlushResult>? _pendingFlush;

    public PeerSender(PeerId peer, int maxRpcSize, ILogger logger)
    {
        Peer = peer;
        _maxRpcSize = maxRpcSize;
        _logger = logger;
    }

    public PeerId Peer { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Our stream once it is open (the host binding asks which connection it runs on).</summary>
    public IDuplexPipe? Stream
    {
        get
        {
            lock (_sync)
            {
                return _stream;
            }
        }
    }

    /// <summary>Whether the writer loop is parked, so the next RPC is written on the caller's thread.</summary>
    internal bool IsIdle
    {
        get
        {
            lock (_sync)
            {
                return _idle;
            }
        }
    }

    /// <summary>
    /// Sends or queues without waiting; false when the RPC is dropped (queue full, counted) or the
    /// stream is gone. <paramref name="frame"/>, when given, is <paramref name="rpc"/> already
    /// encoded with its length prefix (<see cref="OutboundRpc.Frame"/>).
    /// </summary>
    public bool TryEnqueue(RPC rpc, OutboundKind kind, ReadOnlyMemory<byte> frame = default)
    {
        bool cutOff = false;
        lock (_sync)
        {
            if (_idle)
            {
                return TryWriteDirect(rpc, frame);
            }
            Queue<(RPC, ReadOnlyMemory<byte>)> queue = kind == OutboundKind.Forward ? _forward : _priority;
            int capacity = kind == OutboundKind.Forward ? ForwardQueueCapacity : PriorityQueueCapacity;
            if (!_stopped && queue.Count < capacity)
            {
                queue.Enqueue((rpc, frame));
                _doorbell.Writer.TryWrite(true);
                return true;
            }
            Interlocked.Increment(ref _dropped);
            // A peer that cannot take control messages is gone for practical purposes.
            cutOff = !_stopped && kind != OutboundKind.Forward;
        }
        if (cutOff)
        {
            Stop();
        }
        return false;
    }

    public void Start(Func<CancellationToken, Task<IDuplexPipe>> openStream) => Completion = RunAsync(openStream, _stop.Token);

    public void Stop()
    {
        lock (_sync)
        {
            _stopped = true;
            _idle = false;
        }
        _doorbell.Writer.TryComplete();
        _stop.Cancel();
    }

    /// <summary>Under _sync, stream idle: write and flush on the caller's thread; a flush that has to wait goes to the loop.</summary>
    private bool TryWriteDirect(RPC rpc, ReadOnlyMemory<byte> frame)
    {
        try
        {
            Write(_output!, rpc, frame);
            ValueTask<FlushResult> flush = _output!.FlushAsync(_stop.Token);
            if (flush.IsCompletedSuccessfully)
            {
                if (flush.Result.IsCompleted)
                {
                    throw new IOException("the peer stopped reading its pubsub stream");
                }
                return true;
            }
            _idle = false;
            _pendingFlush = flush.AsTask();
            _doorbell.Writer.TryWrite(true);
            return true;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            Log.SendFailed(_logger, Peer, ex);
            _idle = false;
            _ = Task.Run(Stop); // not under the caller's locks: cancelling runs callbacks
            return false;
        }
    }

    private async Task RunAsync(Func<CancellationToken, Task<IDuplexPipe>> openStream, CancellationToken cancellationToken)
    {
        await Task.Yield();
        IDuplexPipe? stream = null;
        try
        {
            stream = await openStream(cancellationToken);
            PipeWriter output = stream.Output;
            lock (_sync)
            {
                _output = output;
                _stream = stream;
            }
            while (true)
            {
                Task<FlushResult>? pending;
                ValueTask<FlushResult> flush = default;
                bool flushing = false;
                lock (_sync)
                {
                    if (_stopped)
                    {
                        break;
                    }
                    _idle = false;
                    pending = _pendingFlush;
                    _pendingFlush = null;
                    if (pending is null)
                    {
                        while (output.UnflushedBytes < FlushThreshold && TryTake(out var next))
                        {
                            Write(output, next.Rpc, next.Frame);
                        }
                        if (output.UnflushedBytes > 0)
                        {
                            flush = output.FlushAsync(cancellationToken);
                            flushing = true;
                        }
                        else
                        {
                            _idle = true; // from here TryEnqueue writes directly until a flush has to wait
                        }
                    }
                }
                if (pending is not null)
                {
                    CheckFlush(await pending);
                }
                else if (flushing)
                {
                    CheckFlush(await flush);
                }
                else if (await _doorbell.Reader.WaitToReadAsync(CancellationToken.None))
                {
                    _doorbell.Reader.TryRead(out _);
                }
                else
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            Log.SendFailed(_logger, Peer, ex);
        }
        finally
        {
            Stop(); // no direct write can start after this, so the output is ours to complete
            if (stream is not null)
            {
                await stream.Output.CompleteAsync();
                if (stream is IAsyncDisposable disposable)
                {
                    await disposable.DisposeAsync();
                }
            }
        }
    }

    private static void CheckFlush(FlushResult result)
    {
        if (result.IsCompleted)
        {
            throw new IOException("the peer stopped reading its pubsub stream");
        }
    }

    private bool TryTake(out (RPC Rpc, ReadOnlyMemory<byte> Frame) next) => _priority.TryDequeue(out next) || _forward.TryDequeue(out next);

    /// <summary>Writes one RPC, split per message when a batch would exceed the peer's RPC size limit.</summary>
    private void Write(PipeWriter output, RPC rpc, ReadOnlyMemory<byte> frame)
    {
        int limit = _maxRpcSize - Encoding.Varint.MaxLength;
        if (!frame.IsEmpty && frame.Length <= limit)
        {
            output.Write(frame.Span); // encoded once for every peer the message goes to
            return;
        }
        if (frame.IsEmpty && rpc.CalculateSize() <= limit)
        {
            RpcCodec.Write(output, rpc);
            return;
        }
        if (rpc.Subscriptions.Count > 0 || rpc.Control is not null)
        {
            var head = new RPC { Control = rpc.Control };
            head.Subscriptions.Add(rpc.Subscriptions);
            RpcCodec.Write(output, head);
        }
        foreach (Message message in rpc.Publish)
        {
            var single = new RPC { Publish = { message } };
            if (single.CalculateSize() <= _maxRpcSize - Encoding.Varint.MaxLength)
            {
                RpcCodec.Write(output, single);
            }
            else
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }
}
