using System.IO.Pipelines;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using static Nnrp.Libp2p.Tests.Host.Hosts;

namespace Nnrp.Libp2p.Tests.Host;

/// <summary>The connection manager (NNRP.md §14.1) inside a real host: stream caps, trimming, room for dials.</summary>
public sealed class HostConnectionManagerTests : IAsyncLifetime
{
    private const string Hold = "/test/hold/1.0";

    private readonly Hosts _hosts = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _hosts.DisposeAsync();

    [Fact]
    public async Task Inbound_streams_of_one_protocol_beyond_the_per_peer_cap_are_reset()
    {
        Libp2pHost server = await _hosts.StartAsync(new ConnectionLimits { MaxInboundStreamsPerProtocol = 2 });
        server.SetStreamHandler(Hold, static async (stream, ct) =>
        {
            // Holds the stream until the peer closes its side.
            while (true)
            {
                ReadResult read = await stream.Input.ReadAsync(ct);
                stream.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        });
        Libp2pHost client = await _hosts.StartAsync();
        Libp2pStream first = await Within(client.NewStreamAsync(AddressOf(server), [Hold], CancellationToken.None));
        Libp2pStream second = await Within(client.NewStreamAsync(AddressOf(server), [Hold], CancellationToken.None));
        await Write(first);
        await Write(second);

        // The third is agreed and then reset (or reset while still agreeing).
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            Libp2pStream third = await Within(client.NewStreamAsync(AddressOf(server), [Hold], CancellationToken.None));
            await Write(third);
            await Within(third.Input.ReadAsync().AsTask());
        });

        // The first two are still served: closing one frees its slot for a new stream.
        first.CloseWrite();
        await Within(first.Input.ReadAsync().AsTask());
        await first.DisposeAsync();
        await Eventually(async () =>
        {
            try
            {
                Libp2pStream again = await Within(client.NewStreamAsync(AddressOf(server), [Hold], CancellationToken.None));
                await Write(again);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        });
    }

    [Fact]
    public async Task Above_the_high_watermark_unprotected_connections_are_trimmed_to_the_low_one()
    {
        Libp2pHost server = await _hosts.StartAsync(new ConnectionLimits { HighWater = 2, LowWater = 1, GracePeriod = TimeSpan.Zero, TrimInterval = TimeSpan.FromMilliseconds(100) });
        Libp2pHost kept = await _hosts.StartAsync();
        server.Protect(kept.PeerId, "test");
        foreach (Libp2pHost client in new[] { kept, await _hosts.StartAsync(), await _hosts.StartAsync() })
        {
            await Within(client.DialAsync(AddressOf(server), CancellationToken.None));
        }

        await Eventually(() => Task.FromResult(server.Connections.Count == 1));
        Assert.Equal(kept.PeerId, server.Connections.Single().RemotePeer);
    }

    [Fact]
    public async Task A_dial_into_a_full_table_closes_an_unprotected_inbound_connection_instead_of_failing()
    {
        Libp2pHost server = await _hosts.StartAsync(new ConnectionLimits { MaxConnections = 2, ReservedOutboundSlots = 0, GracePeriod = TimeSpan.FromHours(1) });
        Libp2pHost mesh = await _hosts.StartAsync();
        Libp2pHost stranger = await _hosts.StartAsync();
        Libp2pHost target = await _hosts.StartAsync();
        server.Protect(mesh.PeerId, "test");
        await Within(mesh.DialAsync(AddressOf(server), CancellationToken.None));
        await Within(stranger.DialAsync(AddressOf(server), CancellationToken.None));
        await Eventually(() => Task.FromResult(server.Connections.Count == 2));

        Connection outbound = await Within(server.DialAsync(AddressOf(target), CancellationToken.None));

        Assert.Equal(target.PeerId, outbound.RemotePeer);
        Assert.Equal(new HashSet<PeerId> { mesh.PeerId, target.PeerId }, server.Connections.Select(c => c.RemotePeer).ToHashSet());
    }

    private static async Task Write(Libp2pStream stream)
    {
        await stream.Output.WriteAsync(new byte[] { 1 });
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        while (!await condition())
        {
            await Task.Delay(20, limit.Token);
        }
    }
}
