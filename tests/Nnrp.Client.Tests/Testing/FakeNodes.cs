using Nnrp.Client.Network;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Identity;
using NSec.Cryptography;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Client.Tests.Testing;

/// <summary>
/// In-memory stand-ins for nodes behind the <see cref="INodeTransport"/> seam, for the SDK's
/// own logic (how many nodes, retries, merging). Real nodes are exercised by the loopback tests.
/// </summary>
internal sealed class FakeNodes : INodeTransport, IDisposable
{
    private readonly Dictionary<PeerId, FakeNode> _nodes = [];

    public FakeNode Add(ulong requiredThreshold = Samples.EasyThreshold)
    {
        var node = new FakeNode(_nodes.Count + 1, requiredThreshold);
        _nodes[node.Address.Peer!] = node;
        return node;
    }

    public IReadOnlyList<FakeNode> Nodes => [.. _nodes.Values];

    public async Task<PublishReply> PublishAsync(NodeAddress node, Notification notification, CancellationToken cancellationToken)
    {
        FakeNode fake = Get(node);
        await fake.PassGateAsync(cancellationToken);
        PublishReply reply = fake.Publish(notification);
        fake.Served.TrySetResult();
        return reply;
    }

    public async Task<FetchPage> FetchAsync(NodeAddress node, FetchQuery query, CancellationToken cancellationToken)
    {
        FakeNode fake = Get(node);
        await fake.PassGateAsync(cancellationToken);
        FetchPage page = fake.Fetch(query);
        fake.Served.TrySetResult();
        return page;
    }

    public Task<StatusResponse> StatusAsync(NodeAddress node, CancellationToken cancellationToken) =>
        Get(node) is { Silent: true } ? throw new TimeoutException("no status answer") : Task.FromResult(Get(node).Status());

    private FakeNode Get(NodeAddress node)
    {
        FakeNode fake = _nodes[node.Peer!];
        return fake.Down ? throw new IOException($"connection refused ({fake.Address})") : fake;
    }

    public void Dispose()
    {
        foreach (FakeNode node in _nodes.Values)
        {
            node.Dispose();
        }
    }
}

internal sealed class FakeNode(int number, ulong requiredThreshold) : IDisposable
{
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private Key? _signer;

    public NodeAddress Address => field ??= new NodeAddress(Multiaddr.Parse(
        $"/ip4/127.0.0.1/tcp/{4000 + number}/p2p/{PeerId.FromPublicKey(new Ed25519PublicKey(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey)))}"));

    public bool Down { get; set; }

    public ulong RequiredThreshold { get; set; } = requiredThreshold;

    public bool RefuseWidePrefixes { get; set; }

    /// <summary>While set, publish and fetch requests wait for it (a slow node, still in flight).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Completes when the node has answered its first publish or fetch.</summary>
    public TaskCompletionSource Served { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Requests that reached the node, gated or not.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private int _requests;

    public async Task PassGateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        if (Gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Answers publish and fetch but never status.</summary>
    public bool Silent { get; set; }

    /// <summary>The shards its status lists (§11.7); everything by default.</summary>
    public List<Shard> Shards { get; } = [new Shard { Bits = 0, Index = 0 }];

    public StatusResponse Status()
    {
        var status = new StatusResponse { Agent = "fake", Stored = (ulong)Stored.Count };
        status.Shards.Add(Shards);
        return status;
    }

    public int PageSize { get; set; } = 2;

    public List<Notification> Stored { get; } = [];

    public List<FetchQuery> Queries { get; } = [];

    public int Publishes { get; private set; }

    /// <summary>Signs receipts with a key that is not the node's identity.</summary>
    public void SignWithAnotherKey() => _signer = Key.Create(SignatureAlgorithm.Ed25519);

    public PublishReply Publish(Notification n)
    {
        Publishes++;
        if (!n.MeetsThreshold(RequiredThreshold))
        {
            return new PublishReply(StatusCode.InsufficientWork, "more work", null, RequiredThreshold, 0);
        }
        bool duplicate = Stored.Any(s => s.Hash == n.Hash);
        if (!duplicate)
        {
            Stored.Add(n);
        }
        return new PublishReply(duplicate ? StatusCode.Duplicate : StatusCode.Ok, "", TestReceipts.Sign(_signer ?? _key, n.Hash, n.ExpiresAt), 0, 0);
    }

    public FetchPage Fetch(FetchQuery query)
    {
        Queries.Add(query);
        if (RefuseWidePrefixes && query.PrefixBits < 16)
        {
            throw new NodeRefusedException(StatusCode.OverCapacity, "prefix too wide");
        }
        var matching = Stored.Where(n => query.Matches(n.RecipientTag) && n.Timestamp >= query.Since)
            .OrderBy(n => n.Timestamp).ThenBy(n => n.Hash).ToList();
        // Cursor: this node's number then the offset; a cursor another node issued is BAD_FORM (§11.5).
        if (!query.Cursor.IsEmpty && (query.Cursor.Length != 8 || BitConverter.ToInt32(query.Cursor.Span) != number))
        {
            throw new NodeRefusedException(StatusCode.BadForm, "not a cursor of this node");
        }
        int start = query.Cursor.IsEmpty ? 0 : BitConverter.ToInt32(query.Cursor.Span[4..]);
        List<Notification> page = matching.Skip(start).Take(PageSize).ToList();
        int next = start + page.Count;
        return new FetchPage(page, next < matching.Count ? (byte[])[.. BitConverter.GetBytes(number), .. BitConverter.GetBytes(next)] : ReadOnlyMemory<byte>.Empty);
    }

    public void Dispose()
    {
        _key.Dispose();
        _signer?.Dispose();
    }
}
