using System.IO.Pipelines;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Yamux;

namespace Nnrp.Libp2p.Host;

/// <summary>A muxed stream with its protocol agreed: bytes in, bytes out, plus who and what.</summary>
public sealed class Libp2pStream : IDuplexPipe, IAsyncDisposable
{
    private readonly YamuxStream _inner;

    internal Libp2pStream(YamuxStream inner, Connection connection, string protocol)
    {
        _inner = inner;
        Connection = connection;
        Protocol = protocol;
    }

    public Connection Connection { get; }

    public PeerId RemotePeer => Connection.RemotePeer;

    public string Protocol { get; }

    public PipeReader Input => _inner.Input;

    public PipeWriter Output => _inner.Output;

    /// <summary>Half-close: tells the peer we will write no more; reading goes on.</summary>
    public void CloseWrite() => _inner.Output.Complete();

    /// <summary>
    /// Completes once everything written before <see cref="CloseWrite"/> has left the stream's
    /// send buffer for the connection (or the stream was reset): a server that must not keep
    /// an answer buffered for a reader that never reads waits on this with a deadline.
    /// </summary>
    public Task OutputFinished => _inner.OutputFinished;

    /// <summary>Abandons the stream in both directions (yamux RST).</summary>
    public void Reset() => _inner.Reset();

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
