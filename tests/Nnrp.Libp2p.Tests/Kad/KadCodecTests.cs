using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Protobuf;
using Nnrp.Libp2p.Tests.Testing;

namespace Nnrp.Libp2p.Tests.Kad;

public class KadCodecTests
{
    private static readonly Func<Multiaddr, bool> Any = static _ => true;

    private static byte[] Bytes(Message m) => m.ToByteArray();

    [Fact]
    public async Task Message_round_trips_through_the_length_prefixed_pipe()
    {
        var pair = new DuplexPipePair();
        KadPeer peer = KadTestPeers.Random("/ip4/203.0.113.5/tcp/4001");
        var sent = new Message { Type = Message.Types.MessageType.FindNode, Key = ByteString.CopyFrom(peer.Id.Span) };
        sent.CloserPeers.Add(KadCodec.ToWire(peer, Message.Types.ConnectionType.Connected));
        KadCodec.Write(pair.A.Output, sent);
        await pair.A.Output.FlushAsync();
        await pair.A.Output.CompleteAsync();

        Message? got = await KadCodec.ReadAsync(pair.B.Input, KadCodec.MaxMessageSize, CancellationToken.None);
        Assert.Equal(sent, got);
        KadPeer read = Assert.Single(KadCodec.ReadPeers(got!.CloserPeers, Any));
        Assert.Equal(peer, read);
        Assert.Equal(peer.Addresses, read.Addresses);
        Assert.Null(await KadCodec.ReadAsync(pair.B.Input, KadCodec.MaxMessageSize, CancellationToken.None));
    }

    [Fact]
    public void Spec_field_numbers_are_on_the_wire()
    {
        // type=FIND_NODE (field 1, varint 4), key (field 2), closerPeers (field 8) with id (field 1).
        var m = new Message { Type = Message.Types.MessageType.FindNode, Key = ByteString.CopyFrom(1, 2) };
        m.CloserPeers.Add(new Message.Types.Peer { Id = ByteString.CopyFrom(9) });
        Assert.Equal([0x08, 0x04, 0x12, 0x02, 0x01, 0x02, 0x42, 0x03, 0x0a, 0x01, 0x09], Bytes(m));
    }

    [Fact]
    public void Unknown_message_type_is_rejected()
    {
        byte[] bytes = [0x08, 0x06];
        var ex = Assert.Throws<KadProtocolException>(() => KadCodec.Parse(new ReadOnlySequence<byte>(bytes)));
        Assert.Contains("type 6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlong_key_is_rejected()
    {
        var m = new Message { Type = Message.Types.MessageType.GetProviders, Key = ByteString.CopyFrom(new byte[KadCodec.MaxKeyLength + 1]) };
        Assert.Throws<KadProtocolException>(() => KadCodec.Parse(new ReadOnlySequence<byte>(Bytes(m))));
    }

    [Fact]
    public void Peer_list_over_its_bound_is_rejected()
    {
        var m = new Message { Type = Message.Types.MessageType.FindNode };
        for (int i = 0; i <= KadCodec.MaxPeersPerList; i++)
        {
            m.CloserPeers.Add(new Message.Types.Peer());
        }
        Assert.Throws<KadProtocolException>(() => KadCodec.Parse(new ReadOnlySequence<byte>(Bytes(m))));
    }

    [Fact]
    public void Peer_entry_with_an_invalid_id_is_a_violation()
    {
        var wire = new Message.Types.Peer { Id = ByteString.CopyFrom(0x12, 0x20, 0x01) };
        Assert.Throws<KadProtocolException>(() => KadCodec.ReadPeer(wire, Any, out _));
    }

    [Fact]
    public void Garbage_and_unusable_addresses_are_dropped_and_counted()
    {
        KadPeer peer = KadTestPeers.Random("/ip4/93.184.216.34/tcp/4001", "/ip4/10.0.0.1/tcp/4001");
        Message.Types.Peer wire = KadCodec.ToWire(peer);
        wire.Addrs.Add(ByteString.CopyFrom(0xff, 0xff, 0xff));
        KadPeer read = KadCodec.ReadPeer(wire, a => KadAddresses.IsUsable(a, allowPrivate: false), out int dropped);
        Assert.Equal(2, dropped);
        Assert.Equal([Multiaddr.Parse("/ip4/93.184.216.34/tcp/4001")], read.Addresses);
    }

    [Fact]
    public async Task Declared_length_over_the_limit_fails_before_the_body_arrives()
    {
        var pair = new DuplexPipePair();
        Varint.Write(pair.A.Output, KadCodec.MaxMessageSize + 1);
        await pair.A.Output.FlushAsync();
        await Assert.ThrowsAsync<MessageTooLargeException>(() =>
            KadCodec.ReadAsync(pair.B.Input, KadCodec.MaxMessageSize, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Oversized_outgoing_message_is_never_written()
    {
        var m = new Message { Type = Message.Types.MessageType.PutValue, Record = new Nnrp.Libp2p.Kad.Protobuf.Record { Value = ByteString.CopyFrom(new byte[KadCodec.MaxMessageSize]) } };
        Assert.Throws<InvalidOperationException>(() => KadCodec.Write(new Pipe().Writer, m));
    }

    [Theory]
    [InlineData("/ip4/93.184.216.34/tcp/1", false, true)]
    [InlineData("/dns4/example.org/tcp/1", false, true)]
    [InlineData("/ip4/127.0.0.1/tcp/1", false, false)]
    [InlineData("/ip4/203.0.113.5/tcp/1", false, false)]
    [InlineData("/ip4/127.0.0.1/tcp/1", true, true)]
    [InlineData("/ip4/192.168.1.2/tcp/1", true, true)]
    [InlineData("/ip4/0.0.0.0/tcp/1", true, false)]
    [InlineData("/ip6/::/tcp/1", true, false)]
    [InlineData("/ip4/224.0.0.1/tcp/1", true, false)]
    [InlineData("/ip6/ff02::1/tcp/1", true, false)]
    [InlineData("/p2p-circuit", true, false)]
    public void Address_usability_follows_scope_and_the_private_setting(string address, bool allowPrivate, bool usable)
    {
        Assert.Equal(usable, KadAddresses.IsUsable(Multiaddr.Parse(address), allowPrivate));
    }
}
