namespace Nnrp.Simulation.Sync;

/// <summary>How catch-up after churn is simulated (docs/SCALE.md "Real sync").</summary>
internal enum SyncMode
{
    /// <summary>By volume: a returning node's first session moves what it missed (the default).</summary>
    Model,

    /// <summary>The production <c>SyncSession</c>, <c>SyncResponder</c> and <c>SessionLedger</c> on every node, over the links (needs <c>--gossip real</c>).</summary>
    Real,
}
