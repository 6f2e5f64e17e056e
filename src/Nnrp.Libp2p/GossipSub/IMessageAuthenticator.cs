using Nnrp.Libp2p.GossipSub.Pb;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>
/// StrictSign (pubsub/README.md "Message Signing"): fills <c>from</c>, <c>seqno</c>,
/// <c>signature</c> (and <c>key</c> when the peer id does not inline it) on our messages and
/// checks them on received ones. Supplied by the service from the host identity.
/// </summary>
internal interface IMessageAuthenticator
{
    void Sign(Message message);

    bool Verify(Message message);
}
