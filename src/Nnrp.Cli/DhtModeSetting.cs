namespace Nnrp.Cli;

/// <summary><c>--dht-mode</c> (NNRP.md §14.5).</summary>
internal enum DhtModeSetting
{
    /// <summary>Server while AutoNAT finds the node public, client otherwise; server on a private network.</summary>
    Auto,

    /// <summary>Always answers DHT requests.</summary>
    Server,

    /// <summary>Only asks (nodes nobody can dial).</summary>
    Client,
}
