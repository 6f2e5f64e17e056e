using System.Security.Cryptography;
using Google.Protobuf;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Protobuf;
using Nnrp.Libp2p.Kad.Providers;
using MessageType = Nnrp.Libp2p.Kad.Protobuf.Message.Types.MessageType;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>
/// Issue 12 attack 6 at the answering side: only keys the policy accepts are stored, refusals
/// are logged once per peer, and GET_PROVIDERS hands out verified providers first (NNRP.md §14.2).
/// </summary>
public sealed class ProviderHygieneTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly AdjustableClock _clock = new();
    private readonly ShardOnlyPolicy _policy = new();
    private readonly RecordingLoggerFactory _log = new();
    private KadNode _server = null!;
    private KadNode _client = null!;

    public async Task InitializeAsync()
    {
        _server = await KadNode.StartAsync([], _clock, providerPolicy: _policy, loggers: _log);
        _client = await KadNode.StartAsync([_server.Address], _clock, KadMode.Client);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<Libp2pStream> OpenAsync(KadNode from) =>
        from.Host.NewStreamAsync(_server.Host.PeerId, [KadOptions.DefaultProtocolId], CancellationToken.None).WaitAsync(Patience);

    private static Message AddProvider(byte[] key, KadNode provider)
    {
        var add = new Message { Type = MessageType.AddProvider, Key = ByteString.CopyFrom(key) };
        add.ProviderPeers.Add(KadCodec.ToWire(new KadPeer(provider.Host.PeerId.Bytes.Span, [provider.Host.ListenAddresses[0]])));
        return add;
    }

    /// <summary>Sends the messages on one stream, then a PING, and waits for its echo (so all were handled).</summary>
    private static async Task SendAndSettleAsync(Libp2pStream stream, IEnumerable<Message> messages)
    {
        foreach (Message m in messages)
        {
            KadCodec.Write(stream.Output, m);
        }
        await KadCodec.WriteAsync(stream.Output, new Message { Type = MessageType.Ping }, CancellationToken.None);
        Message? pong = await KadCodec.ReadAsync(stream.Input, KadCodec.MaxMessageSize, CancellationToken.None).AsTask().WaitAsync(Patience);
        Assert.Equal(MessageType.Ping, pong!.Type);
    }

    private static byte[] JunkKey()
    {
        var key = new byte[34];
        key[0] = 0x12;
        key[1] = 0x20;
        RandomNumberGenerator.Fill(key.AsSpan(2));
        return key;
    }

    [Fact]
    public async Task Provider_record_for_a_key_the_network_does_not_use_is_refused()
    {
        byte[] junk = JunkKey();
        byte[] shard = KadTestKeys.Key(8, 17);
        await SendAndSettleAsync(await OpenAsync(_client), [AddProvider(junk, _client), AddProvider(shard, _client)]);
        Assert.Empty(_server.Kad.Providers.Get(junk, _clock.GetUtcNow(), 20));
        Assert.Equal(_client.Host.PeerId.Bytes.ToArray(), Assert.Single(_server.Kad.Providers.Get(shard, _clock.GetUtcNow(), 20)).Provider.Id.ToArray());
        // The stored record is handed to the policy for verification; the refused one is not.
        Assert.Equal(_client.Host.PeerId.Bytes.ToArray(), Assert.Single(_policy.StoredProviders).Id.ToArray());
    }

    [Fact]
    public async Task Refused_records_are_logged_once_per_peer_not_per_request()
    {
        await SendAndSettleAsync(await OpenAsync(_client), Enumerable.Range(0, 40).Select(_ => AddProvider(JunkKey(), _client)));
        await SendAndSettleAsync(await OpenAsync(_client), Enumerable.Range(0, 10).Select(_ => AddProvider(JunkKey(), _client)));
        Assert.Single(_log.Entries, e => e.Id.Id == 607);
        await using KadNode other = await KadNode.StartAsync([_server.Address], _clock, KadMode.Client);
        await SendAndSettleAsync(await OpenAsync(other), Enumerable.Range(0, 10).Select(_ => AddProvider(JunkKey(), other)));
        Assert.Equal(2, _log.Entries.Count(e => e.Id.Id == 607));
        // Once the quiet window has passed, the peer's next refusal is logged again.
        _clock.Advance(RefusedProviderPeers.Window + TimeSpan.FromSeconds(1));
        await SendAndSettleAsync(await OpenAsync(_client), [AddProvider(JunkKey(), _client)]);
        Assert.Equal(3, _log.Entries.Count(e => e.Id.Id == 607));
    }

    [Fact]
    public async Task Get_providers_answers_verified_providers_first()
    {
        byte[] key = KadTestKeys.Key(0, 0);
        DateTimeOffset now = _clock.GetUtcNow();
        KadPeer[] providers = Enumerable.Range(0, 30).Select(_ => KadTestPeers.Random("/ip4/127.0.0.1/tcp/4001")).ToArray();
        for (int i = 0; i < providers.Length; i++)
        {
            // Later providers expire later, so the store's own order would put the verified ones last.
            _server.Kad.Providers.Add(key, providers[i], now + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(i), now);
        }
        _policy.Verify(providers[0]);
        _policy.Verify(providers[1]);
        Libp2pStream stream = await OpenAsync(_client);
        await KadCodec.WriteAsync(stream.Output, new Message { Type = MessageType.GetProviders, Key = ByteString.CopyFrom(key) }, CancellationToken.None);
        Message? answer = await KadCodec.ReadAsync(stream.Input, KadCodec.MaxMessageSize, CancellationToken.None).AsTask().WaitAsync(Patience);
        Assert.Equal(_server.Kad.Options.MaxProvidersPerResponse, answer!.ProviderPeers.Count);
        Assert.Equal(
            new[] { providers[1].Id.ToArray(), providers[0].Id.ToArray() },
            answer.ProviderPeers.Take(2).Select(p => p.Id.ToByteArray()).ToArray());
    }
}
