using Nnrp.Libp2p.Host;
using Nnrp.Node;

namespace Nnrp.Http;

/// <summary>What the endpoints serve from: the node (ingress, store, receipts, fetch budget) and its host.</summary>
public sealed record HttpApiContext(NnrpNode Node, Libp2pHost Host, TimeProvider Time);
