using System.Security.Cryptography;
using Nnrp.Cli.Tests;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node;
using Nnrp.Node.Protocol;
using Nnrp.Protocol.Requests;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// One real `nnrp node` process at <see cref="Testnet.CheapThreshold"/> with extra settings (a
/// small store, a small mailbox cap) and one /nnrp/1.0 client, for the store scenarios of issue 12
/// (<see cref="CheapFloodEvictionScenario"/>, <see cref="MailboxGriefingScenario"/>).
/// </summary>
internal sealed class StoreScenarioNode : IAsyncDisposable
{
    public const ulong Base = 0xf000000000000000UL;
    public const int Payload = 120;

    private readonly NnrpProcess _process;
    private readonly Libp2pHost _client;
    private readonly string _root;

    private StoreScenarioNode(NnrpProcess process, Libp2pHost client, string root, Multiaddr address)
    {
        _process = process;
        _client = client;
        _root = root;
        Address = address;
    }

    public Multiaddr Address { get; }

    public static async Task<StoreScenarioNode> StartAsync(params string[] settings)
    {
        string root = Directory.CreateTempSubdirectory("nnrp-store-scenario-").FullName;
        string[] args =
        [
            "node", "--data-dir", Path.Combine(root, "data"), "--listen", "/ip4/127.0.0.1/tcp/0", "--http", "http://127.0.0.1:0",
            "--private-network", "--base-threshold", Testnet.CheapThreshold, "--bootstrap-file", Path.Combine(root, "none.txt"), .. settings,
        ];
        NnrpProcess process = NnrpProcess.Start(args);
        var address = Multiaddr.Parse((await process.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value);
        var client = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] });
        await client.StartAsync(CancellationToken.None);
        return new StoreScenarioNode(process, client, root, address);
    }

    public async Task<PublishResult> PublishAsync(Notification n)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await new NnrpClient(_client).PublishAsync(Address, n, limit.Token);
    }

    public async Task<bool> HasAsync(Notification n)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        NotificationPage page = await new NnrpClient(_client).FetchAsync(Address, FetchQuery.ForTag(n.RecipientTag), limit.Token);
        return page.Notifications.Any(x => x.Hash == n.Hash);
    }

    public async Task<ulong> CurrentThresholdAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return (await new NnrpClient(_client).StatusAsync(Address, limit.Token)).CurrentThreshold;
    }

    /// <summary>A notification stamped now whose work value lies in [min, max] (work never 0, so one size for all).</summary>
    public static Notification Make(RecipientTag? tag, uint ttl, ulong min, ulong max = ulong.MaxValue)
    {
        var n = new Notification(1, tag ?? RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32)),
            (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ttl, RandomNumberGenerator.GetBytes(Payload), 0);
        return Regrind(n, min, max);
    }

    /// <summary>The same notification with work whose value lies in [min, max].</summary>
    public static Notification Regrind(Notification n, ulong min, ulong max = ulong.MaxValue)
    {
        Span<byte> root = stackalloc byte[NotificationHash.Size];
        n.Hash.CopyTo(root);
        for (ulong work = (ulong)Random.Shared.NextInt64(1, long.MaxValue); ; work++)
        {
            ulong value = ProofOfWork.Value(root, work);
            if (value >= min && value <= max)
            {
                return n.WithWork(work);
            }
        }
    }

    /// <summary>A threshold as hashes expected to meet it (2^64 / (2^64 − threshold)).</summary>
    public static double Hashes(ulong threshold) => Thresholds.ToMultiplier(threshold, 0);

    /// <summary>A threshold as a multiple of <see cref="Base"/>.</summary>
    public static double Multiple(ulong threshold) => Thresholds.ToMultiplier(threshold, Base);

    public static ulong AtMultiple(double multiplier) => Thresholds.FromMultiplier(multiplier, Base);

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _process.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
