using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Client.Network;

/// <summary>Sends each request the way its node is addressed: libp2p multiaddr or http(s) URL.</summary>
internal sealed class RoutedNodeTransport(INodeTransport libp2p, INodeTransport http) : INodeTransport
{
    private INodeTransport For(NodeAddress node) => node.Url is null ? libp2p : http;

    public Task<PublishReply> PublishAsync(NodeAddress node, Notification notification, CancellationToken cancellationToken) =>
        For(node).PublishAsync(node, notification, cancellationToken);

    public Task<FetchPage> FetchAsync(NodeAddress node, FetchQuery query, CancellationToken cancellationToken) =>
        For(node).FetchAsync(node, query, cancellationToken);

    public Task<StatusResponse> StatusAsync(NodeAddress node, CancellationToken cancellationToken) =>
        For(node).StatusAsync(node, cancellationToken);
}
