using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.GossipSub.Pb;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub.Service;

/// <summary>
/// The one long-lived outbound pubsub stream to a peer (pubsub/README.md "Stream management":
/// each side writes on the stream it opened) and its writer loop. Two bounded queues, like
/// rust-libp2p gossipsub's <c>queue.rs</c>: control and our own messages first; relayed
/// messages are best effort and dropped when the peer does not keep up. The stream opens
/// lazily in the loop, so RPCs queued before it is up (our subscriptions) wait in order.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "_stop has no timer; it is cancelled, never disposed, because Stop can race the loop's end")]
internal sealed class PeerSender
{
    /// <summary>Control and own messages waiting; a peer this far behind is cut off (rust: priority queue cap).</summary>
    public const int PriorityQueueCapacity = 4096;

    /// <summary>Relayed messages waiting; beyond it the newest relay is dropped (it reaches the peer by gossip).</summary>
    public const int ForwardQueueCapacity = 1024;

    private readonly Channel<RPC> _priority = Channel.CreateBounded<RPC>(new BoundedChannelOptions(PriorityQueueCapacity) { SingleReader = true });
    private readonly Channel<RPC> _forward = Channel.CreateBounded<RPC>(new BoundedChannelOptions(ForwardQueueCapacity) { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly int _maxRpcSize;
    private long _dropped;

    public PeerSender(PeerId peer, int maxRpcSize, ILogger logger)
    {
        Peer = peer;
        _maxRpcSize = maxRpcSize;
        _logger = logger;
    }

    public PeerId Peer { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Queues without waiting; false when the queue is full (the RPC is dropped and counted).</summary>
    public bool TryEnqueue(RPC rpc, OutboundKind kind)
    {
        Channel<RPC> queue = kind == OutboundKind.Forward ? _forward : _priority;
        if (queue.Writer.TryWrite(rpc))
        {
            return true;
        }
        Interlocked.Increment(ref _dropped);
        if (kind != OutboundKind.Forward)
        {
            Stop(); // a peer that cannot take control messages is gone for practical purposes
        }
        return false;
    }

    public void Start(Func<CancellationToken, Task<IDuplexPipe>> openStream) => Completion = RunAsync(openStream, _stop.Token);

    public void Stop()
    {
        _priority.Writer.TryComplete();
        _forward.Writer.TryComplete();
        _stop.Cancel();
    }

    private async Task RunAsync(Func<CancellationToken, Task<IDuplexPipe>> openStream, CancellationToken cancellationToken)
    {
        await Task.Yield();
        IDuplexPipe? stream = null;
        try
        {
            stream = await openStream(cancellationToken);
            PipeWriter output = stream.Output;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!TryTake(out RPC? rpc))
                {
                    // Nothing queued: flush what was written, then wait for either queue.
                    await FlushAsync(output, cancellationToken);
                    Task<bool> priority = _priority.Reader.WaitToReadAsync(cancellationToken).AsTask();
                    Task<bool> forward = _forward.Reader.WaitToReadAsync(cancellationToken).AsTask();
                    await Task.WhenAny(priority, forward);
                    if (priority.IsCompleted && !await priority && forward.IsCompleted && !await forward)
                    {
                        break;
                    }
                    continue;
                }
                Write(output, rpc);
                if (output.UnflushedBytes >= 64 * 1024)
                {
                    await FlushAsync(output, cancellationToken);
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
            Stop();
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

    private bool TryTake([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RPC? rpc) => _priority.Reader.TryRead(out rpc) || _forward.Reader.TryRead(out rpc);

    /// <summary>Writes one RPC, split per message when a batch would exceed the peer's RPC size limit.</summary>
    private void Write(PipeWriter output, RPC rpc)
    {
        if (rpc.CalculateSize() <= _maxRpcSize - Encoding.Varint.MaxLength)
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

    private static async ValueTask FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        if (output.UnflushedBytes == 0)
        {
            return;
        }
        FlushResult result = await output.FlushAsync(cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException("the peer stopped reading its pubsub stream");
        }
    }
}
