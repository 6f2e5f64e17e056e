using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Keys;
using CoreShards = Nnrp.Core.Keys.Shards;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Node.Providers;
using Nnrp.Node.Sync;
using Nnrp.Node.Tests.Testing;

namespace Nnrp.Node.Tests.Providers;

/// <summary>
/// NNRP.md §14.2 "Verification" with §11.8.6: only providers that answer /nnrp/1.0 status count
/// as replicas (issue 12 attack 6: squatting records used to stop a node offering), verdicts
/// are cached, and only shard keys are accepted.
/// </summary>
public sealed class ProviderVerifierTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static KadPeer At(Libp2pHost host) => new(host.PeerId.Bytes.Span, [host.ListenAddresses[0]]);

    /// <summary>A provider record whose peer does not exist: nothing listens at its address.</summary>
    private static KadPeer Squatter() => new(KeyPair.Generate().PeerId.Bytes.Span, [Multiaddr.Parse("/ip4/127.0.0.1/tcp/1")]);

    private static async Task<Libp2pHost> BareHostAsync()
    {
        var host = new Libp2pHost(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] }, NullLoggerFactory.Instance);
        await host.StartAsync(CancellationToken.None);
        return host;
    }

    [Fact]
    public async Task Replication_count_counts_only_providers_that_answer_status()
    {
        await using NodeNetwork honest = await NodeNetwork.StartAsync();
        await using NodeNetwork second = await NodeNetwork.StartAsync();
        // A live libp2p peer that does not speak /nnrp/1.0 is no replica either.
        await using Libp2pHost mute = await BareHostAsync();
        Libp2pHost self = honest.ClientHost;
        await using var verifier = new ProviderVerifier(self, new ProviderVerifierOptions { Timeout = TimeSpan.FromSeconds(10) });
        var records = new List<KadPeer> { At(self), At(mute), At(honest.NodeHost) };
        records.AddRange(Enumerable.Range(0, 10).Select(_ => Squatter()));
        var options = new SyncOptions();
        var metrics = new SyncMetrics();
        var monitor = new ReplicationMonitor(
            ct => verifier.CountVerifiedAsync(records.ToAsyncEnumerable(), self.PeerId, ct), options, metrics, TimeProvider.System);

        // Itself and one honest node: 2 of the 3 that make a notification safe, so it offers —
        // although 13 providers are listed.
        Assert.True(await monitor.ShouldOfferAsync(CancellationToken.None).WaitAsync(Limit));
        Assert.Equal(2, metrics.LastProviderCount);

        records.Add(At(second.NodeHost));
        Assert.Equal(3, await verifier.CountVerifiedAsync(records.ToAsyncEnumerable(), self.PeerId, CancellationToken.None).WaitAsync(Limit));
    }

    [Fact]
    public async Task A_provider_is_asked_once_however_often_its_record_arrives()
    {
        await using NodeNetwork honest = await NodeNetwork.StartAsync();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var verifier = new ProviderVerifier(honest.ClientHost, time: clock);
        KadPeer node = At(honest.NodeHost);
        KadPeer squatter = Squatter();

        // A record handed over for verification is checked in the background.
        verifier.Schedule(node);
        await NodeNetwork.UntilAsync(() => verifier.IsVerified(node.Id.Span), "the scheduled node is verified");
        Assert.False(await verifier.VerifyAsync(squatter, CancellationToken.None).WaitAsync(Limit));
        Assert.Equal(2, verifier.Probes);

        // Further records of either peer cost nothing while the verdict is fresh.
        for (int i = 0; i < 50; i++)
        {
            verifier.Schedule(node);
            verifier.Schedule(squatter);
        }
        Assert.True(await verifier.VerifyAsync(node, CancellationToken.None));
        Assert.False(await verifier.VerifyAsync(squatter, CancellationToken.None));
        Assert.Equal(2, verifier.Probes);

        // A verdict expires: a squatter is asked again only after FailedFor, a verified node after VerifiedFor.
        clock.Advance(new ProviderVerifierOptions().FailedFor);
        Assert.True(verifier.IsVerified(node.Id.Span));
        Assert.False(await verifier.VerifyAsync(squatter, CancellationToken.None).WaitAsync(Limit));
        Assert.Equal(3, verifier.Probes);
        clock.Advance(new ProviderVerifierOptions().VerifiedFor);
        Assert.False(verifier.IsVerified(node.Id.Span));
    }

    [Fact]
    public void Only_shard_keys_are_accepted()
    {
        Assert.Equal((0, 0u), ShardProviderPolicy.ShardOf(CoreShards.DhtKey(0, 0).AsSpan(2)));
        Assert.Equal((8, 200u), ShardProviderPolicy.ShardOf(CoreShards.DhtKey(8, 200).AsSpan(2)));
        Assert.Equal((16, 65535u), ShardProviderPolicy.ShardOf(CoreShards.DhtKey(16, 65535).AsSpan(2)));
        Assert.Null(ShardProviderPolicy.ShardOf(CoreShards.DhtKey(17, 0).AsSpan(2)));
        Assert.Null(ShardProviderPolicy.ShardOf(CoreShards.RawSha256Cid("junk"u8).AsSpan(2)));
        Assert.Null(ShardProviderPolicy.ShardOf(CoreShards.DhtKey(0, 0)));
        byte[] almost = CoreShards.DhtKey(0, 0).AsSpan(2).ToArray();
        almost[^1] ^= 1;
        Assert.Null(ShardProviderPolicy.ShardOf(almost));
    }
}
