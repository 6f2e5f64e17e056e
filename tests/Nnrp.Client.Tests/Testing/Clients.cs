using Nnrp.Client.Mailbox;
using Nnrp.Client.Sending;
using Nnrp.Client.Work;
using Nnrp.Core.Work;

namespace Nnrp.Client.Tests.Testing;

/// <summary>Wallet clients and options for the loopback tests: easy work, one work thread.</summary>
internal static class Clients
{
    public static readonly SendOptions EasySend = new() { InitialThreshold = Samples.EasyThreshold };

    public static readonly FetchOptions EasyFetch = new() { MinimumWork = Samples.EasyThreshold };

    public static readonly LocalWorkSource OneThread = new(new WorkGeneratorOptions { Threads = 1 });

    /// <summary>A libp2p/HTTP client that uses exactly <paramref name="nodes"/>.</summary>
    public static Task<WalletClient> ConnectAsync(IEnumerable<string> nodes) =>
        WalletClient.ConnectAsync(new WalletClientOptions { Nodes = nodes.ToArray(), WorkSource = OneThread });
}
