using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.GossipSub;

/// <summary>GossipSub log events, ids 700-799.</summary>
internal static partial class Log
{
    [LoggerMessage(700, LogLevel.Debug, "gossipsub peer {Peer} added ({Protocol}, outbound {Outbound})")]
    public static partial void PeerAdded(ILogger logger, PeerId peer, GossipProtocol protocol, bool outbound);

    [LoggerMessage(701, LogLevel.Debug, "gossipsub peer {Peer} removed")]
    public static partial void PeerRemoved(ILogger logger, PeerId peer);

    [LoggerMessage(702, LogLevel.Debug, "gossipsub grafted {Peer} into {Topic}")]
    public static partial void Grafted(ILogger logger, PeerId peer, string topic);

    [LoggerMessage(703, LogLevel.Debug, "gossipsub pruned {Peer} from {Topic}")]
    public static partial void Pruned(ILogger logger, PeerId peer, string topic);

    [LoggerMessage(704, LogLevel.Debug, "gossipsub message from {Peer} rejected: {Reason}")]
    public static partial void MessageRejected(ILogger logger, PeerId peer, string? reason);

    [LoggerMessage(705, LogLevel.Debug, "gossipsub RPC from graylisted peer {Peer} ignored")]
    public static partial void GraylistedRpcDropped(ILogger logger, PeerId peer);

    [LoggerMessage(706, LogLevel.Debug, "gossipsub peer {Peer} sent {Count} IHAVE this heartbeat; ignoring the rest")]
    public static partial void IHaveFlood(ILogger logger, PeerId peer, int count);

    [LoggerMessage(707, LogLevel.Debug, "gossipsub peer {Peer} grafted {Topic} during backoff")]
    public static partial void GraftDuringBackoff(ILogger logger, PeerId peer, string topic);

    [LoggerMessage(708, LogLevel.Debug, "gossipsub peer {Peer} broke {Count} IWANT promises")]
    public static partial void BrokenPromises(ILogger logger, PeerId peer, int count);

    [LoggerMessage(709, LogLevel.Debug, "gossipsub opportunistic graft of {Peer} into {Topic} (median score {Median})")]
    public static partial void OpportunisticGraft(ILogger logger, PeerId peer, string topic, double median);

    [LoggerMessage(720, LogLevel.Debug, "gossipsub send to {Peer} failed")]
    public static partial void SendFailed(ILogger logger, PeerId peer, Exception error);

    [LoggerMessage(724, LogLevel.Debug, "gossipsub stream to {Peer} ended while connected; re-open {Reopen} in {Delay}")]
    public static partial void StreamReopening(ILogger logger, PeerId peer, int reopen, TimeSpan delay);

    [LoggerMessage(725, LogLevel.Information, "gossipsub stream to {Peer} failed {Reopens} times in a row; the peer leaves gossip")]
    public static partial void StreamReopensExhausted(ILogger logger, PeerId peer, int reopens);

    [LoggerMessage(721, LogLevel.Information, "gossipsub peer {Peer} sent an invalid RPC; closing its stream: {Reason}")]
    public static partial void InboundRpcInvalid(ILogger logger, PeerId peer, string reason);

    [LoggerMessage(722, LogLevel.Debug, "gossipsub inbound stream from {Peer} failed")]
    public static partial void InboundStreamFailed(ILogger logger, PeerId peer, Exception error);

    [LoggerMessage(723, LogLevel.Warning, "gossipsub validator for {Topic} threw; message ignored")]
    public static partial void ValidatorFailed(ILogger logger, string topic, Exception error);
}
