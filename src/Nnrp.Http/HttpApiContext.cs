using Nnrp.Libp2p.Host;
using Nnrp.Node;
using Nnrp.Node.Metrics;

namespace Nnrp.Http;

/// <summary>
/// What the endpoints serve from: the node (ingress, store, receipts, fetch budget) and its host;
/// request latency goes on the node's <paramref name="Meters"/> when it has them.
/// </summary>
public sealed record HttpApiContext(NnrpNode Node, Libp2pHost Host, TimeProvider Time, NnrpMeters? Meters = null);
