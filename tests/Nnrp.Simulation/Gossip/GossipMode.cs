namespace Nnrp.Simulation.Gossip;

/// <summary>What carries the notification topics (§14.3) in a run.</summary>
internal enum GossipMode
{
    /// <summary><see cref="GossipNetwork"/>: meshes and one message's spread computed per message (fast; calibrated against the router).</summary>
    Model,

    /// <summary><see cref="RouterGossipNetwork"/>: every online node runs the production <c>GossipRouter</c>, RPCs as events over the links.</summary>
    Real,
}
