using System.Diagnostics.Metrics;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Metrics;
using Nnrp.Node.Sync;

namespace Nnrp.Node.Metrics;

/// <summary>
/// One node's meters (<c>Nnrp.Node</c>, <c>Nnrp.Libp2p</c>, <c>Nnrp.Http</c>), all created in one
/// scope so that a reader can tell this node's instruments from another node's in the same
/// process (tests run many): meters are found by name process-wide, so the metrics listener
/// keeps only the instruments whose meter <see cref="Owns"/>.
/// </summary>
/// <remarks>
/// Given an <see cref="IMeterFactory"/> (the Generic Host registers one per container) the
/// meters come from it and share its scope; without one, the meters are this object's own and
/// are disposed with it.
/// </remarks>
public sealed class NnrpMeters : IDisposable
{
    private readonly IMeterFactory? _factory;
    private readonly List<Meter> _owned = [];
    private readonly Lock _gate = new();

    public NnrpMeters(IMeterFactory? factory = null) => _factory = factory;

    /// <summary>The names of the meters a node's instruments live on, for a reader to listen to.</summary>
    public static IReadOnlyList<string> MeterNames { get; } = [NodeInstruments.MeterName, Libp2pInstruments.MeterName, HttpMeterName];

    /// <summary>The HTTP API's meter (request latency); the API lives in Nnrp.Http, the name is listed here with the others.</summary>
    public const string HttpMeterName = "Nnrp.Http";

    /// <summary>
    /// The one call that puts a node's figures on its meters: ingress, store and build info, and
    /// whichever of host, gossip, Kad and sync the node runs.
    /// </summary>
    public static NnrpMeters Register(NnrpNode node, Libp2pHost host, GossipSubService? gossip = null, KadService? kad = null, SyncMetrics? sync = null, IMeterFactory? factory = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(host);
        var meters = new NnrpMeters(factory);
        Meter nodeMeter = meters.Create(NodeInstruments.MeterName);
        NodeInstruments.AddBuildInfo(nodeMeter, BuildInfo.Current);
        NodeInstruments.AddNode(nodeMeter, node);
        if (sync is not null)
        {
            NodeInstruments.AddSync(nodeMeter, sync);
        }
        Meter libp2p = meters.Create(Libp2pInstruments.MeterName);
        Libp2pInstruments.AddHost(libp2p, host);
        if (gossip is not null)
        {
            Libp2pInstruments.AddGossip(libp2p, gossip);
        }
        if (kad is not null)
        {
            Libp2pInstruments.AddKad(libp2p, kad);
        }
        return meters;
    }

    /// <summary>The meter <paramref name="name"/> in this node's scope (the same one each time it is asked for).</summary>
    public Meter Create(string name)
    {
        if (_factory is not null)
        {
            return _factory.Create(new MeterOptions(name));
        }
        lock (_gate)
        {
            Meter? meter = _owned.Find(m => m.Name == name);
            if (meter is null)
            {
                meter = new Meter(new MeterOptions(name) { Scope = this });
                _owned.Add(meter);
            }
            return meter;
        }
    }

    /// <summary>Whether <paramref name="meter"/> is one of this node's.</summary>
    public bool Owns(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        return ReferenceEquals(meter.Scope, (object?)_factory ?? this);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (Meter meter in _owned)
            {
                meter.Dispose();
            }
            _owned.Clear();
        }
    }
}
