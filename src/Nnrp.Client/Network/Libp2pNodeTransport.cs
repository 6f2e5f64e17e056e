using System.Net.Sockets;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Host;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Client.Network;

/// <summary>
/// <see cref="INodeTransport"/> over libp2p: the node project's <see cref="NnrpClient"/> (the
/// one /nnrp/1.0 codec) on a wallet host that dials out and never listens. Dial failures of
/// every kind surface as <see cref="IOException"/>, refusals as <see cref="NodeRefusedException"/>.
/// </summary>
public sealed class Libp2pNodeTransport : INodeTransport
{
    private readonly NnrpClient _client;

    /// <summary>A transport over <paramref name="host"/>, each request bounded by <paramref name="timeout"/>.</summary>
    public Libp2pNodeTransport(Libp2pHost host, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(host);
        _client = new NnrpClient(host, timeout);
    }

    /// <inheritdoc />
    public async Task<PublishReply> PublishAsync(NodeAddress node, Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        PublishResult result = await Call(() => _client.PublishAsync(MultiaddrOf(node), notification, cancellationToken), cancellationToken);
        return new PublishReply(result.Status, result.Message, result.Receipt, result.RequiredThreshold, result.RetryAfterSeconds) { Verified = result.Verified };
    }

    /// <inheritdoc />
    public async Task<FetchPage> FetchAsync(NodeAddress node, FetchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        NotificationPage page = await Call(() => _client.FetchAsync(MultiaddrOf(node), query, cancellationToken), cancellationToken);
        return new FetchPage(page.Notifications, page.NextCursor);
    }

    /// <inheritdoc />
    public Task<StatusResponse> StatusAsync(NodeAddress node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Call(() => _client.StatusAsync(MultiaddrOf(node), cancellationToken), cancellationToken);
    }

    private static Libp2p.Addressing.Multiaddr MultiaddrOf(NodeAddress node) =>
        node.Address ?? throw new ArgumentException($"{node} is not a libp2p address", nameof(node));

    private static async Task<T> Call<T>(Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (NnrpRefusedException e)
        {
            throw new NodeRefusedException(e.Status, e.Message, e);
        }
        catch (SocketException e)
        {
            throw new IOException(e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The per-request deadline, not the caller: the node is too slow.
            throw new TimeoutException("the node did not answer in time", e);
        }
    }
}
