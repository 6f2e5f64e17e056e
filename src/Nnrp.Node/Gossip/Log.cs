using Microsoft.Extensions.Logging;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Node.Decisions;

namespace Nnrp.Node.Gossip;

/// <summary>Gossip wiring events, ids 1150–1159.</summary>
internal static partial class Log
{
    [LoggerMessage(1150, LogLevel.Debug, "Gossiped notification from {PeerId} not accepted: {Status} → {Verdict} ({Reason})")]
    public static partial void GossipRefused(ILogger logger, string peerId, DecisionStatus status, ValidationResult verdict, string reason);

    [LoggerMessage(1151, LogLevel.Warning, "Publishing an accepted notification to gossip failed: {Reason}")]
    public static partial void GossipPublishFailed(ILogger logger, string reason);
}
