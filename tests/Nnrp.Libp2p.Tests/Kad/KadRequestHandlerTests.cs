using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Protobuf;
using MessageType = Nnrp.Libp2p.Kad.Protobuf.Message.Types.MessageType;

namespace Nnrp.Libp2p.Tests.Kad;

/// <summary>Abuse limits of the answering side, driven over raw streams from a second real node.</summary>
public sealed class KadRequestHandlerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly AdjustableClock _clock = new();
    private KadNode _server = null!;
    private KadNode _client = null!;

    public async Task InitializeAsync()
    {
        _server = await KadNode.StartAsync([], _clock);
        _client = await KadNode.StartAsync([_server.Address], _clock, KadMode.Client);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<Libp2pStream> OpenAsync() =>
        _client.Host.NewStreamAsync(_server.Host.PeerId, [KadOptions.DefaultProtocolId], CancellationToken.None).WaitAsync(Patience);

    /// <summary>Reads until the server ends the stream; true if it was reset (or closed) without an answer.</summary>
    private static async Task<bool> EndsWithoutAnswer(Libp2pStream stream)
    {
        try
        {
            Message? answer = await KadCodec.ReadAsync(stream.Input, KadCodec.MaxMessageSize, CancellationToken.None).AsTask().WaitAsync(Patience);
            return answer is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    [Fact]
    public async Task Malformed_message_resets_the_stream()
    {
        Libp2pStream stream = await OpenAsync();
        LengthPrefixed.Write(stream.Output, [0x08, 0x06]); // type 6 does not exist
        await stream.Output.FlushAsync();
        Assert.True(await EndsWithoutAnswer(stream));
    }

    [Fact]
    public async Task Put_value_in_an_undefined_namespace_is_refused()
    {
        Libp2pStream stream = await OpenAsync();
        var put = new Message { Type = MessageType.PutValue, Key = ByteString.CopyFromUtf8("/pk/x") };
        put.Record = new Nnrp.Libp2p.Kad.Protobuf.Record { Key = put.Key, Value = ByteString.CopyFromUtf8("v") };
        await KadCodec.WriteAsync(stream.Output, put, CancellationToken.None);
        Assert.True(await EndsWithoutAnswer(stream));
    }

    [Fact]
    public async Task Provider_entry_naming_another_peer_is_not_stored()
    {
        Libp2pStream stream = await OpenAsync();
        byte[] key = KadTestKeys.Key(2, 1);
        var add = new Message { Type = MessageType.AddProvider, Key = ByteString.CopyFrom(key) };
        add.ProviderPeers.Add(KadCodec.ToWire(KadTestPeers.Random("/ip4/127.0.0.1/tcp/9")));
        await KadCodec.WriteAsync(stream.Output, add, CancellationToken.None);
        // A PING on the same stream is answered only after the ADD_PROVIDER was handled.
        await KadCodec.WriteAsync(stream.Output, new Message { Type = MessageType.Ping }, CancellationToken.None);
        Message? pong = await KadCodec.ReadAsync(stream.Input, KadCodec.MaxMessageSize, CancellationToken.None).AsTask().WaitAsync(Patience);
        Assert.Equal(MessageType.Ping, pong!.Type);
        Assert.Empty(_server.Kad.Providers.Get(key, _clock.GetUtcNow(), 20));
    }

    [Fact]
    public async Task Peer_over_its_request_rate_has_its_stream_reset()
    {
        Libp2pStream stream = await OpenAsync();
        int burst = _server.Kad.Options.RequestBurstPerPeer;
        for (int i = 0; i < burst * 2; i++)
        {
            KadCodec.Write(stream.Output, new Message { Type = MessageType.Ping });
        }
        await stream.Output.FlushAsync();
        int answered = 0;
        bool reset = false;
        try
        {
            while (await KadCodec.ReadAsync(stream.Input, KadCodec.MaxMessageSize, CancellationToken.None).AsTask().WaitAsync(Patience) is not null)
            {
                answered++;
            }
        }
        catch (IOException)
        {
            reset = true;
        }
        // The reset may overtake answers still in flight; it must come before the burst is exceeded by much.
        Assert.True(reset);
        Assert.InRange(answered, 0, burst + 5);
    }
}
