using System.IO.Pipelines;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Transport;

namespace Nnrp.Libp2p.Relay;

/// <summary>
/// A hop stream (at the dialer) or a stop stream (at the destination) once the relay said OK,
/// seen as a raw transport connection, so that the host upgrades it with Noise and Yamux like
/// a TCP one (circuit-v2.md: "B and A upgrade the relayed connection with a security protocol
/// and a multiplexer"). Limited: the relay caps its duration and bytes (<see cref="Limit"/>).
/// </summary>
internal sealed class RelayedTransportConnection : ITransportConnection
{
    private readonly Libp2pStream _stream;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RelayedTransportConnection(Libp2pStream stream, Multiaddr localAddress, Multiaddr remoteAddress, CircuitLimit limit)
    {
        _stream = stream;
        LocalAddress = localAddress;
        RemoteAddress = remoteAddress;
        Limit = limit;
        // The circuit dies with the connection to the relay.
        _ = stream.Connection.Closed.ContinueWith(static (_, s) => ((TaskCompletionSource)s!).TrySetResult(), _completion, TaskScheduler.Default);
    }

    public Multiaddr LocalAddress { get; }

    /// <summary><c>&lt;relay address&gt;/p2p/&lt;relay&gt;/p2p-circuit</c>.</summary>
    public Multiaddr RemoteAddress { get; }

    public CircuitLimit Limit { get; }

    public PipeReader Input => _stream.Input;

    public PipeWriter Output => _stream.Output;

    public Task Completion => _completion.Task;

    public void Abort()
    {
        _stream.Reset();
        _completion.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _completion.TrySetResult();
    }
}
