using Google.Protobuf;
using Nnrp.Libp2p.GossipSub.Pb;

namespace Nnrp.Simulation.Gossip;

/// <summary>
/// What the routers' bytes carried, summed over every node's sends: each RPC's parts at their
/// encoded size (field tag and length included), and the rest (length prefix, the control
/// envelope) as framing. Says which part of GossipSub a node's gossip bandwidth pays for.
/// </summary>
internal sealed class RouterTraffic
{
    public double Messages { get; private set; }

    public double IHave { get; private set; }

    public double IWant { get; private set; }

    public double IDontWant { get; private set; }

    public double GraftPrune { get; private set; }

    public double Subscriptions { get; private set; }

    public double Framing { get; private set; }

    public double Total => Messages + IHave + IWant + IDontWant + GraftPrune + Subscriptions + Framing;

    public void Add(RPC rpc, int frameBytes)
    {
        double parts = 0;
        double Part<T>(Google.Protobuf.Collections.RepeatedField<T> items)
            where T : IMessage<T>
        {
            double sum = 0;
            for (int i = 0; i < items.Count; i++)
            {
                sum += 1 + CodedOutputStream.ComputeMessageSize(items[i]);
            }
            parts += sum;
            return sum;
        }
        Messages += Part(rpc.Publish);
        Subscriptions += Part(rpc.Subscriptions);
        if (rpc.Control is { } control)
        {
            IHave += Part(control.Ihave);
            IWant += Part(control.Iwant);
            IDontWant += Part(control.Idontwant);
            GraftPrune += Part(control.Graft) + Part(control.Prune);
        }
        Framing += frameBytes - parts;
    }

    /// <summary>The figures now, apart from later counting.</summary>
    public RouterTraffic Copy() => (RouterTraffic)MemberwiseClone();

    public void Reset() => Messages = IHave = IWant = IDontWant = GraftPrune = Subscriptions = Framing = 0;
}
