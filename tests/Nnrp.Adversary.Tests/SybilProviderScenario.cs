using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Nnrp.Cli.Tests;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identify;
using Nnrp.Libp2p.Identity;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Providers;
using Nnrp.Node;
using Xunit.Abstractions;
using Nnrp.Protocol.Shards;

namespace Nnrp.Adversary.Tests;

/// <summary>
/// Issue 12 attack 6, Sybil provider records: 100 throwaway peer ids each send ADD_PROVIDER for
/// shard (0, 0) — the 100-provider slot of the key — and for a junk key, to a real `nnrp node`.
/// Then an honest node (a real node on loopback) that answers /nnrp/1.0 status joins and provides (0, 0). It must still be
/// stored and handed out first, by GET_PROVIDERS and by a wallet's DHT discovery (NNRP.md §14.2).
/// </summary>
public sealed partial class SybilProviderScenario(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sybils = 100;

    /// <summary>Throwaway ids sending at once.</summary>
    private const int InFlight = 4;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-sybil-").FullName;
    private readonly List<NnrpProcess> _nodes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (NnrpProcess node in _nodes)
        {
            await node.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }

    private async Task<Multiaddr> StartNodeAsync(string name)
    {
        NnrpProcess node = NnrpProcess.Start(
            "node", "--data-dir", Path.Combine(_root, name), "--listen", "/ip4/127.0.0.1/tcp/0", "--http", "off",
            "--private-network", "--base-threshold", Testnet.CheapThreshold, "--bootstrap-file", Path.Combine(_root, "none.txt"));
        _nodes.Add(node);
        var address = Multiaddr.Parse((await node.WaitForLineAsync(NnrpProcess.LoopbackAddress())).Groups[1].Value);
        await node.WaitForLineAsync(ProvidingShard());
        return address;
    }

    [Fact]
    public async Task Honest_provider_is_stored_and_handed_out_first_after_a_sybil_flood()
    {
        var clock = Stopwatch.StartNew();
        Multiaddr target = await StartNodeAsync("target");
        TimeSpan started = clock.Elapsed;
        byte[] shard = ShardKeys.WireKey(0, 0);
        byte[] junk = JunkKey();

        var flood = Stopwatch.StartNew();
        long bytes = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, Sybils), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (_, ct) =>
        {
            // Each throwaway id announces itself at an address where nothing listens: its
            // records lead wallets nowhere.
            Interlocked.Add(ref bytes, await SquatAsync(target, [shard, junk], ct));
        });
        flood.Stop();
        IReadOnlyList<byte[]> afterFlood = await GetProvidersAsync(target, shard);
        Assert.Empty(await GetProvidersAsync(target, junk));

        TimeSpan joining = clock.Elapsed;
        await using HonestNode honestNode = await HonestNode.StartAsync(Path.Combine(_root, "honest"), target);
        Multiaddr honest = honestNode.Address;
        TimeSpan joined = clock.Elapsed;
        byte[] honestId = honest.PeerIdMultihash!.Value.ToArray();
        byte[] targetId = target.PeerIdMultihash!.Value.ToArray();

        // The target verifies the newcomer by a status request, then lists it before every squatter.
        IReadOnlyList<byte[]> answer = [];
        await Testnet.UntilAsync(async () =>
        {
            answer = await GetProvidersAsync(target, shard);
            return answer.Count > 0 && answer[0].AsSpan().SequenceEqual(honestId);
        }, "GET_PROVIDERS on the target lists the honest provider first", Patience);
        TimeSpan listed = clock.Elapsed;
        Assert.True(answer[1].AsSpan().SequenceEqual(targetId), "the target itself follows, before the squatters");

        // A wallet finding nodes in the DHT (NNRP.md §8, as Nnrp.Client does) is handed the honest ones first.
        IReadOnlyList<KadPeer> discovered = await DiscoverAsync(target, shard, 2);
        Assert.Equal([honestId, targetId], discovered.Select(p => p.Id.ToArray()));

        int honestBefore = afterFlood.Count(id => id.AsSpan().SequenceEqual(honestId) || id.AsSpan().SequenceEqual(targetId));
        output.WriteLine($"attacker: {Sybils} peer ids, {Sybils} connections, {2 * Sybils} ADD_PROVIDER + {Sybils} PING requests, " +
            $"{bytes} bytes of Kad messages, {flood.Elapsed.TotalSeconds:F1} s");
        output.WriteLine($"GET_PROVIDERS (0, 0) right after the flood: {afterFlood.Count} providers, {honestBefore} honest");
        output.WriteLine($"GET_PROVIDERS (0, 0) after the honest node joined: {answer.Count} providers, honest at positions 1 and 2, " +
            $"{(listed - joined).TotalSeconds:F1} s after it provided");
        output.WriteLine($"phases: target up {started.TotalSeconds:F1} s, honest node up {(joined - joining).TotalSeconds:F1} s, total {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// The honest newcomer, a real node on loopback in this process (a second process would
    /// only add its start-up time): its store answers /nnrp/1.0 status, and its DHT
    /// (server mode, bootstrapped from the target) provides shard (0, 0) as `nnrp node` does.
    /// </summary>
    private sealed class HonestNode : IAsyncDisposable
    {
        private NnrpNode _node = null!;

        public Multiaddr Address => _node.Addresses[0];

        public static async Task<HonestNode> StartAsync(string dataDirectory, Multiaddr bootstrap)
        {
            var honest = new HonestNode();
            honest._node = await NnrpNode.StartAsync(new NnrpNodeOptions
            {
                DataDirectory = dataDirectory,
                PrivateNetwork = true,
                Dht = new NodeDhtOptions { BootstrapPeers = [bootstrap], OpenProviderStore = _ => new MemoryProviderStore() },
            }).WaitAsync(Patience);
            await honest._node.DhtReady.WaitAsync(Patience);
            Assert.True(await honest._node.Kad.ProvideAsync(ShardKeys.WireKey(0, 0), CancellationToken.None).WaitAsync(Patience) > 0);
            return honest;
        }

        public ValueTask DisposeAsync() => _node.DisposeAsync();
    }

    /// <summary>
    /// One throwaway id: a fresh key, one connection, ADD_PROVIDER for each key with the id's
    /// own entry, then a PING whose answer shows the node has handled the lot. Returns the bytes sent.
    /// </summary>
    private static async Task<long> SquatAsync(Multiaddr target, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        await using var host = new Libp2pHost(KeyPair.Generate(), new HostOptions());
        await host.StartAsync(cancellationToken);
        Libp2pStream stream = await host.NewStreamAsync(target, [KadOptions.DefaultProtocolId], cancellationToken).WaitAsync(Patience, cancellationToken);
        await using (stream)
        {
            long sent = 0;
            foreach (byte[] key in keys)
            {
                sent += Frame(stream.Output, AddProvider(key, host.PeerId, Multiaddr.Parse("/ip4/127.0.0.1/tcp/9")));
            }
            sent += Frame(stream.Output, Request(KadType.Ping, []));
            await stream.Output.FlushAsync(cancellationToken);
            ReadOnlySequence<byte>? pong = await ReadFrameAsync(stream, cancellationToken).WaitAsync(Patience, cancellationToken);
            Assert.NotNull(pong);
            return sent;
        }
    }

    /// <summary>Provider ids (multihash bytes) in the node's GET_PROVIDERS answer, in its order.</summary>
    private static async Task<IReadOnlyList<byte[]>> GetProvidersAsync(Multiaddr node, byte[] key)
    {
        await using var host = new Libp2pHost(KeyPair.Generate(), new HostOptions());
        await host.StartAsync(CancellationToken.None);
        Libp2pStream stream = await host.NewStreamAsync(node, [KadOptions.DefaultProtocolId], CancellationToken.None).WaitAsync(Patience);
        await using (stream)
        {
            Frame(stream.Output, Request(KadType.GetProviders, key));
            await stream.Output.FlushAsync();
            ReadOnlySequence<byte> answer = await ReadFrameAsync(stream, CancellationToken.None).WaitAsync(Patience)
                ?? throw new InvalidOperationException("the node closed the stream without an answer");
            return ProviderIds(answer.ToArray());
        }
    }

    /// <summary>What a wallet's Kad client (client mode, bootstrapped from the node) finds first.</summary>
    private static async Task<IReadOnlyList<KadPeer>> DiscoverAsync(Multiaddr node, byte[] key, int count)
    {
        await using var host = new Libp2pHost(KeyPair.Generate(), new HostOptions());
        await host.StartAsync(CancellationToken.None);
        using var providers = new MemoryProviderStore();
        await using var kad = new KadService(host, providers, new KadOptions { Mode = KadMode.Client, BootstrapPeers = [node], AllowPrivateAddresses = true });
        await kad.StartAsync(CancellationToken.None).WaitAsync(Patience);
        var found = new List<KadPeer>();
        await foreach (KadPeer provider in kad.FindProvidersAsync(key, count, CancellationToken.None).WithCancellation(CancellationToken.None))
        {
            found.Add(provider);
        }
        return found;
    }

    private static byte[] JunkKey()
    {
        var key = new byte[34];
        key[0] = 0x12;
        key[1] = 0x20;
        RandomNumberGenerator.Fill(key.AsSpan(2));
        return key;
    }

    // The Kad wire format (protocols/libp2p/kad.proto) written as any libp2p Kad peer would
    // send it; the node's own message types are internal to it.
    private enum KadType
    {
        AddProvider = 2,
        GetProviders = 3,
        Ping = 5,
    }

    private static byte[] Request(KadType type, byte[] key)
    {
        using var buffer = new MemoryStream();
        var o = new CodedOutputStream(buffer);
        o.WriteTag(1, WireFormat.WireType.Varint);
        o.WriteEnum((int)type);
        if (key.Length > 0)
        {
            o.WriteTag(2, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(key));
        }
        o.Flush();
        return buffer.ToArray();
    }

    private static byte[] AddProvider(byte[] key, PeerId provider, Multiaddr address)
    {
        using var peer = new MemoryStream();
        var p = new CodedOutputStream(peer);
        p.WriteTag(1, WireFormat.WireType.LengthDelimited);
        p.WriteBytes(ByteString.CopyFrom(provider.Bytes.Span));
        p.WriteTag(2, WireFormat.WireType.LengthDelimited);
        p.WriteBytes(ByteString.CopyFrom(address.Bytes.Span));
        p.Flush();
        using var message = new MemoryStream();
        message.Write(Request(KadType.AddProvider, key));
        var m = new CodedOutputStream(message);
        m.WriteTag(9, WireFormat.WireType.LengthDelimited);
        m.WriteBytes(ByteString.CopyFrom(peer.ToArray()));
        m.Flush();
        return message.ToArray();
    }

    /// <summary>uvarint length ‖ message; returns the bytes written.</summary>
    private static int Frame(System.IO.Pipelines.PipeWriter output, byte[] message)
    {
        int prefix = CodedOutputStream.ComputeLengthSize(message.Length);
        var framed = new byte[prefix + message.Length];
        var o = new CodedOutputStream(framed);
        o.WriteLength(message.Length);
        o.Flush();
        message.CopyTo(framed, prefix);
        output.Write(framed);
        return framed.Length;
    }

    private static async Task<ReadOnlySequence<byte>?> ReadFrameAsync(Libp2pStream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            System.IO.Pipelines.ReadResult read = await stream.Input.ReadAsync(cancellationToken);
            byte[] buffered = read.Buffer.ToArray();
            if (TryLength(buffered, out int length, out int prefix) && buffered.Length >= prefix + length)
            {
                stream.Input.AdvanceTo(read.Buffer.GetPosition(prefix + length));
                return new ReadOnlySequence<byte>(buffered, prefix, length);
            }
            if (read.IsCompleted)
            {
                return null;
            }
            stream.Input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static bool TryLength(byte[] buffered, out int length, out int prefix)
    {
        length = 0;
        for (prefix = 0; prefix < Math.Min(buffered.Length, 5); prefix++)
        {
            length |= (buffered[prefix] & 0x7f) << (7 * prefix);
            if ((buffered[prefix] & 0x80) == 0)
            {
                prefix++;
                return true;
            }
        }
        return false;
    }

    /// <summary>The <c>id</c> of every <c>providerPeers</c> entry (field 9) of a Kad message.</summary>
    private static List<byte[]> ProviderIds(byte[] message)
    {
        var ids = new List<byte[]>();
        var input = new CodedInputStream(message);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            if (WireFormat.GetTagFieldNumber(tag) != 9)
            {
                input.SkipLastField();
                continue;
            }
            var peer = new CodedInputStream(input.ReadBytes().ToByteArray());
            for (uint inner; (inner = peer.ReadTag()) != 0;)
            {
                if (WireFormat.GetTagFieldNumber(inner) == 1)
                {
                    ids.Add(peer.ReadBytes().ToByteArray());
                }
                else
                {
                    peer.SkipLastField();
                }
            }
        }
        return ids;
    }

    [GeneratedRegex(@"Providing shard \w+ to \d+ peers")]
    private static partial Regex ProvidingShard();
}
