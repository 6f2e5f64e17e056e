using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.Host;

/// <summary>Real hosts on loopback TCP with identify, torn down together.</summary>
public sealed class Hosts : IAsyncDisposable
{
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private readonly List<Libp2pHost> _hosts = [];

    public async Task<Libp2pHost> StartAsync(ConnectionLimits? limits = null, Action<Libp2pHost>? configure = null)
    {
        var options = new HostOptions
        {
            ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")],
            Limits = limits ?? new ConnectionLimits(),
        };
        var host = new Libp2pHost(KeyPair.Generate(), options, NullLoggerFactory.Instance);
        configure?.Invoke(host);
        await host.StartAsync(CancellationToken.None);
        lock (_hosts)
        {
            _hosts.Add(host);
        }
        return host;
    }

    public static Multiaddr AddressOf(Libp2pHost host) =>
        host.ListenAddresses[0].WithPeerIdMultihash(host.PeerId.Bytes.Span);

    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(WaitLimit);

    public static Task Within(Task task) => task.WaitAsync(WaitLimit);

    /// <summary>Completes with the first connection the host opens to or from <paramref name="peer"/>.</summary>
    public static Task<Connection> OpenedWith(Libp2pHost host, PeerId peer) => Fired(host, peer, opened: true);

    public static Task<Connection> ClosedWith(Libp2pHost host, PeerId peer) => Fired(host, peer, opened: false);

    private static Task<Connection> Fired(Libp2pHost host, PeerId peer, bool opened)
    {
        var fired = new TaskCompletionSource<Connection>(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<ConnectionEventArgs> handler = (_, e) =>
        {
            if (e.Connection.RemotePeer.Equals(peer))
            {
                fired.TrySetResult(e.Connection);
            }
        };
        if (opened)
        {
            host.ConnectionOpened += handler;
        }
        else
        {
            host.ConnectionClosed += handler;
        }
        return fired.Task.WaitAsync(WaitLimit);
    }

    public async ValueTask DisposeAsync()
    {
        Libp2pHost[] all;
        lock (_hosts)
        {
            all = _hosts.ToArray();
        }
        await Task.WhenAll(all.Select(static h => h.DisposeAsync().AsTask()));
    }
}
