using System.Net.Sockets;
using Nnrp.Core.Notifications;
using Nnrp.Libp2p.Host;
using Xunit.Abstractions;
using static Nnrp.Adversary.Tests.ConnectionAttack;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// Issue 12 attack 2, first half: 70 TCP sockets that never send a byte used to take all 64
/// pending-handshake slots for 10 s, so the node reset every honest inbound connection.
/// NNRP.md §14.1: pending handshakes are capped per address and per subnet at accept, and the
/// handshake deadline is 5 s.
/// </summary>
public sealed class IdleSocketScenario(ITestOutputHelper output)
{
    private const int IdleSockets = 70;

    [Fact]
    public async Task An_honest_peer_connects_and_fetches_while_70_idle_sockets_are_held()
    {
        await using PublicNode node = await PublicNode.StartAsync();
        Notification stored = await node.PublishAsync();

        using var limit = new CancellationTokenSource(WaitLimit);
        var sockets = new List<Socket>();
        try
        {
            int refusedAtConnect = 0;
            for (int i = 0; i < IdleSockets; i++)
            {
                try
                {
                    sockets.Add(await ConnectFromAsync(AttackerAddress, node.Endpoint, limit.Token));
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
                {
                    refusedAtConnect++; // the reset overtook the connect call itself
                }
            }
            // Wait until the node has dealt with every socket: a handshake begun or a hang-up.
            bool[] admitted = await Task.WhenAll(sockets.Select(s => AdmittedAsync(s, limit.Token)));
            int held = admitted.Count(a => a);
            Assert.Equal(IdleSockets, admitted.Length + refusedAtConnect);
            output.WriteLine($"{IdleSockets} idle sockets from {AttackerAddress}: {held} hold a pending handshake, {IdleSockets - held} refused at accept");

            (bool found, TimeSpan elapsed) = await node.HonestFetchAsync(stored, limit.Token);
            output.WriteLine($"honest connect + fetch under attack: {elapsed.TotalMilliseconds:0} ms");

            Assert.True(found);
            // It did not have to wait for the idle sockets' handshake deadline to free a slot.
            Assert.True(elapsed < TimeSpan.FromSeconds(5), $"connect + fetch took {elapsed}");
            Assert.True(held <= new ConnectionLimits().MaxPendingInboundPerIp, $"{held} idle sockets from one address hold pending slots");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }
}
