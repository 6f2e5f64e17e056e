using System.Threading.Channels;

namespace Nnrp.Libp2p.GossipSub.Service;

/// <summary>
/// One application subscription to a topic: accepted messages arrive on <see cref="Messages"/>.
/// The buffer is bounded; when the application falls behind, the oldest waiting messages are
/// dropped (counted in <see cref="Dropped"/>) rather than stalling the router. Disposing it ends
/// the subscription; the last one to go leaves the topic.
/// </summary>
public sealed class GossipSubscription : IAsyncDisposable
{
    /// <summary>Messages buffered per subscription before the oldest are dropped.</summary>
    public const int BufferCapacity = 8192;

    private readonly Channel<GossipMessage> _channel;
    private readonly Action<GossipSubscription> _onDispose;
    private long _dropped;
    private int _disposed;

    internal GossipSubscription(string topic, Action<GossipSubscription> onDispose)
    {
        Topic = topic;
        _onDispose = onDispose;
        _channel = Channel.CreateBounded<GossipMessage>(
            new BoundedChannelOptions(BufferCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = false },
            _ => Interlocked.Increment(ref _dropped));
    }

    public string Topic { get; }

    public ChannelReader<GossipMessage> Messages => _channel.Reader;

    public long Dropped => Interlocked.Read(ref _dropped);

    public IAsyncEnumerable<GossipMessage> ReadAllAsync(CancellationToken cancellationToken = default) => _channel.Reader.ReadAllAsync(cancellationToken);

    internal void Deliver(GossipMessage message) => _channel.Writer.TryWrite(message);

    internal void Complete() => _channel.Writer.TryComplete();

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Complete();
            _onDispose(this);
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>v1.1 "Extended Validators": the application's verdict on a message from <paramref name="propagationSource"/>.</summary>
public delegate ValueTask<ValidationResult> TopicValidator(GossipMessage message, Nnrp.Libp2p.Identity.PeerId propagationSource, CancellationToken cancellationToken);
