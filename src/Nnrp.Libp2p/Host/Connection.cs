using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Noise;
using Nnrp.Libp2p.Transport;
using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Host;

/// <summary>
/// An upgraded connection: TCP, secured by Noise, multiplexed by Yamux (libp2p/specs
/// connections/README.md "Upgrading connections"). Streams opened here negotiate their
/// protocol with multistream-select; inbound streams are served by the host.
/// </summary>
public sealed class Connection : IAsyncDisposable
{
    private static long s_nextId;

    private readonly ITransportConnection _transport;
    private readonly SecureChannel _secure;
    private readonly YamuxSession _session;
    private readonly TimeSpan _negotiationTimeout;
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;

    internal Connection(
        ITransportConnection transport,
        SecureChannel secure,
        YamuxSession session,
        ConnectionDirection direction,
        TimeSpan negotiationTimeout)
    {
        _transport = transport;
        _secure = secure;
        _session = session;
        _negotiationTimeout = negotiationTimeout;
        Direction = direction;
        Id = "c" + Interlocked.Increment(ref s_nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        OpenedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Process-unique id for logs.</summary>
    public string Id { get; }

    public PeerId RemotePeer => _secure.RemotePeer;

    public PublicKey RemotePublicKey => _secure.RemotePublicKey;

    public Multiaddr LocalAddress => _transport.LocalAddress;

    public Multiaddr RemoteAddress => _transport.RemoteAddress;

    public ConnectionDirection Direction { get; }

    /// <summary>
    /// Relayed through a circuit relay whose limits (2 min and 128 KiB per direction by
    /// default) end it: protocols that need a lasting connection do not run over it (NNRP.md §14.4).
    /// </summary>
    public bool IsLimited => _transport.Limit is not null;

    /// <summary>What the relay said it allows on this relayed connection (null fields: no cap); null when direct.</summary>
    public Relay.CircuitLimit? Limit => _transport.Limit;

    public DateTimeOffset OpenedAt { get; }

    /// <summary>Completes once the connection is gone, whoever closed it.</summary>
    public Task Closed => _closed.Task;

    public bool IsClosed => Volatile.Read(ref _closing) != 0;

    public int StreamCount => _session.ActiveStreamCount;

    internal YamuxSession Session => _session;

    /// <summary>
    /// Opens a stream and proposes <paramref name="protocols"/> in order; returns once one is
    /// agreed. A refusal of all of them throws <see cref="MultistreamSelect.NoProtocolAgreedException"/>.
    /// </summary>
    public async Task<Libp2pStream> NewStreamAsync(IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        YamuxStream stream = await _session.OpenStreamAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_negotiationTimeout);
            string protocol = await MultistreamSelect.MultistreamSelect.SelectAsync(stream, protocols, timeout.Token);
            return new Libp2pStream(stream, this, protocol);
        }
        catch
        {
            stream.Reset();
            throw;
        }
    }

    /// <summary>Yamux ping round trip on this connection.</summary>
    public Task<TimeSpan> PingMuxerAsync(CancellationToken cancellationToken) => _session.PingAsync(cancellationToken);

    /// <summary>Graceful close: GoAway, flush the Noise frames, FIN the TCP stream.</summary>
    public async ValueTask CloseAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            await _closed.Task;
            return;
        }
        try
        {
            await _session.DisposeAsync();
            await _secure.DisposeAsync();
            await _transport.DisposeAsync();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer may have gone first; closing is best effort from here on.
            Abort(ex);
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    /// <summary>Immediate teardown of every layer; streams see a reset.</summary>
    public void Abort(Exception? reason = null)
    {
        Interlocked.Exchange(ref _closing, 1);
        _session.Abort(reason);
        _secure.Abort(reason);
        _transport.Abort();
        _closed.TrySetResult();
    }

    public ValueTask DisposeAsync() => CloseAsync();

    public override string ToString() => $"{Id} {Direction} {RemotePeer} {RemoteAddress}";
}
