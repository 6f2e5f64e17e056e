using Nnrp.Http.Metrics;
using Nnrp.Libp2p.Host;
using Nnrp.Node;

namespace Nnrp.Http;

/// <summary>What the endpoints serve from: the node (ingress, store, receipts), its host, and the figures to export.</summary>
public sealed record HttpApiContext(NnrpNode Node, Libp2pHost Host, IReadOnlyList<IMetricsSource> MetricsSources, TimeProvider Time);
