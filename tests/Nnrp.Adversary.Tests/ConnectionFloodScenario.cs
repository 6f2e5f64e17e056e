using System.Diagnostics;
using System.Net;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Xunit.Abstractions;
using static Nnrp.Adversary.Tests.ConnectionAttack;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// Issue 12 attack 2, second half: 256 completed connections from throwaway keys used to fill
/// the whole table, so the node refused honest peers and could dial no one (bootstrap, Kad,
/// sync). NNRP.md §14.1: per-address and per-subnet caps, and slots inbound may never take.
/// </summary>
public sealed class ConnectionFloodScenario(ITestOutputHelper output)
{
    /// <summary>Handshaked connections the attacker tries to hold.</summary>
    private const int Flood = 300;

    /// <summary>Connections per throwaway key: the per-peer cap, so keys are no limit.</summary>
    private const int PerKey = 4;

    /// <summary>Handshakes in flight at once.</summary>
    private const int Parallel = 16;

    [Fact]
    public async Task An_honest_peer_connects_and_fetches_while_one_address_floods_300_handshakes()
    {
        await using PublicNode node = await PublicNode.StartAsync();
        Notification stored = await node.PublishAsync();

        using var limit = new CancellationTokenSource(WaitLimit * 2);
        List<HeldConnection> held = await FloodAsync(_ => AttackerAddress, node.Endpoint, node.PeerId, limit.Token);
        try
        {
            double connections = await node.MetricAsync("nnrp_p2p_connections");
            output.WriteLine($"{Flood} handshakes from {AttackerAddress} with {Flood / PerKey} keys: {held.Count(h => h.IsOpen)} still open, node holds {connections} connections");

            (bool found, TimeSpan elapsed) = await node.HonestFetchAsync(stored, limit.Token);
            output.WriteLine($"honest connect + fetch under flood: {elapsed.TotalMilliseconds:0} ms");

            Assert.True(found);
            Assert.True(connections <= new ConnectionLimits().MaxInboundPerIp, $"one address holds {connections} connections");
        }
        finally
        {
            await Task.WhenAll(held.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task A_host_still_dials_out_while_a_flood_from_75_subnets_holds_its_inbound_slots()
    {
        // The host as the node runs it (default limits), flooded from 75 /24s: 4 connections
        // per key and per address, inside every per-address cap, so only the slot reserve stands.
        await using Libp2pHost target = await PublicNode.HonestClientAsync();
        await using Libp2pHost host = await PublicNode.HonestClientAsync();
        Multiaddr listen = host.ListenAddresses[0];

        using var limit = new CancellationTokenSource(WaitLimit * 2);
        List<HeldConnection> held = await FloodAsync(SubnetAddress, EndpointOf(listen), host.PeerId, limit.Token);
        try
        {
            int inbound = host.Connections.Count(c => c.Direction == ConnectionDirection.Inbound);
            output.WriteLine($"{Flood} handshakes from {Flood / PerKey} subnets: host holds {inbound} inbound of {host.Options.Limits.MaxConnections} slots");

            var clock = Stopwatch.StartNew();
            Connection outbound = await host.DialAsync(target.ListenAddresses[0].WithPeerIdMultihash(target.PeerId.Bytes.Span), limit.Token);
            clock.Stop();
            output.WriteLine($"outbound dial under flood: {clock.Elapsed.TotalMilliseconds:0} ms");

            Assert.Equal(target.PeerId, outbound.RemotePeer);
            Assert.True(inbound <= host.Options.Limits.MaxInbound, $"{inbound} inbound connections");
        }
        finally
        {
            await Task.WhenAll(held.Select(h => h.DisposeAsync().AsTask()));
        }
    }

    /// <summary>
    /// <see cref="Flood"/> complete upgrades, <see cref="PerKey"/> per throwaway key, attempt
    /// <c>i</c> from <paramref name="source"/>(i / PerKey); returns those the target let through.
    /// </summary>
    private static async Task<List<HeldConnection>> FloodAsync(Func<int, IPAddress> source, IPEndPoint target, PeerId targetId, CancellationToken cancellationToken)
    {
        KeyPair[] keys = Enumerable.Range(0, Flood / PerKey).Select(_ => KeyPair.Generate()).ToArray();
        var held = new List<HeldConnection>();
        using var slots = new SemaphoreSlim(Parallel);
        await Task.WhenAll(Enumerable.Range(0, Flood).Select(async i =>
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                if (await HandshakeFromAsync(source(i / PerKey), target, targetId, keys[i / PerKey], cancellationToken) is { } connection)
                {
                    lock (held)
                    {
                        held.Add(connection);
                    }
                }
            }
            finally
            {
                slots.Release();
            }
        }));
        return held;
    }
}
