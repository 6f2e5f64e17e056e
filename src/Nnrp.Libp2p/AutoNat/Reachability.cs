namespace Nnrp.Libp2p.AutoNat;

/// <summary>Whether others can dial this node (NNRP.md §14.5).</summary>
public enum Reachability
{
    /// <summary>Not enough AutoNAT results yet (or they disagree).</summary>
    Unknown,

    /// <summary>At least one address was confirmed dialable by enough servers.</summary>
    Public,

    /// <summary>Every tested address was confirmed undialable by enough servers.</summary>
    Private,
}

public sealed class ReachabilityChangedEventArgs(Reachability reachability) : EventArgs
{
    public Reachability Reachability { get; } = reachability;
}
