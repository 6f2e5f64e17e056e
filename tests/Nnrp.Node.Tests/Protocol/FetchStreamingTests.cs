using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;
using Nnrp.Node.Protocol;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Protocol;

/// <summary>
/// Issue 12 attack 4, NNRP.md §11.5 "Answer budget": fetch answers are written item by item with
/// backpressure, under a per-peer and node-wide byte budget, and a reader that takes nothing is
/// cut off after the write-stall timeout — the node never buffers a page for it.
/// </summary>
public sealed class FetchStreamingTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(500);

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(37, false)]
    [InlineData(300, true)]
    public async Task The_streamed_answer_is_byte_for_byte_the_buffered_one(int count, bool cursor)
    {
        Notification[] items = Enumerable.Range(0, count).Select(i => Notifications.Make(payloadSize: i * 7 % (NotificationLimits.MaxPayload + 1), work: (ulong)i)).ToArray();
        byte[] next = cursor ? [1, 2, 3, 4, 5] : [];
        var body = new FetchResponse { NextCursor = ByteString.CopyFrom(next) };
        body.Notifications.Add(items.Select(NotificationProtobuf.ToProto));

        byte[] buffered = await WrittenAsync(output => NnrpCodec.WriteAsync(output, new Response { Status = StatusCode.Ok, Fetch = body }, NnrpProtocol.MaxResponseSize, CancellationToken.None));
        ReadOnlyMemory<byte>[] stored = items.Select(n => (ReadOnlyMemory<byte>)NotificationProtobuf.Encode(n)).ToArray();
        byte[] streamed = await WrittenAsync(output => NnrpCodec.WriteFetchAsync(output, stored, next, Stall, CancellationToken.None));

        Assert.Equal(buffered, streamed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(500)]
    public async Task The_answer_from_the_stores_bytes_is_byte_for_byte_the_one_encoded_from_the_decoded_page(int count)
    {
        // The old path: decode the page, re-encode every notification into one Response.
        using var f = new StoreFixture();
        long now = 1_767_225_600;
        var tag = Notifications.RandomTag();
        f.Store.Put(Enumerable.Range(0, count).Select(i => Notifications.Make(tag, now - i % 13, payloadSize: i * 11 % (NotificationLimits.MaxPayload + 1), work: (ulong)i * 7919)).ToArray());
        FetchQuery query = FetchQuery.ForTag(tag, limit: 300);
        NotificationPage decoded = f.Store.Fetch(query, (ulong)now);
        var body = new FetchResponse { NextCursor = ByteString.CopyFrom(decoded.NextCursor.Span) };
        body.Notifications.Add(decoded.Notifications.Select(NotificationProtobuf.ToProto));
        byte[] buffered = await WrittenAsync(output => NnrpCodec.WriteAsync(output, new Response { Status = StatusCode.Ok, Fetch = body }, NnrpProtocol.MaxResponseSize, CancellationToken.None));

        using EncodedPage page = f.Store.FetchEncoded(query, (ulong)now);
        byte[] streamed = await WrittenAsync(output => NnrpCodec.WriteFetchAsync(output, page, page.NextCursor, Stall, CancellationToken.None));

        Assert.Equal(Math.Min(count, 300), page.Count);
        Assert.Equal(buffered, streamed);
    }

    [Fact]
    public async Task Items_reach_the_reader_while_the_rest_waits_for_it()
    {
        Notification[] items = Enumerable.Range(0, 400).Select(_ => Notifications.Make(payloadSize: NotificationLimits.MaxPayload)).ToArray();
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));

        ReadOnlyMemory<byte>[] stored = items.Select(n => (ReadOnlyMemory<byte>)NotificationProtobuf.Encode(n)).ToArray();
        Task writing = NnrpCodec.WriteFetchAsync(pipe.Writer, stored, ReadOnlyMemory<byte>.Empty, NodeNetwork.Limit, CancellationToken.None).AsTask();
        ReadResult first = await pipe.Reader.ReadAsync().AsTask().WaitAsync(NodeNetwork.Limit);

        // The first items are readable while the writer waits on the pipe: ~900 KB are never held at once.
        Assert.False(writing.IsCompleted);
        Assert.InRange(first.Buffer.Length, NotificationLimits.MaxPayload, 64 * 1024 + NnrpCodec.FetchFlushBytes + NotificationLimits.MaxEncodedSize);
        pipe.Reader.AdvanceTo(first.Buffer.Start, first.Buffer.End);
        Task<Response> reading = NnrpCodec.ReadResponseAsync(pipe.Reader, CancellationToken.None).AsTask();
        await writing.WaitAsync(NodeNetwork.Limit);
        pipe.Writer.Complete();
        Response response = await reading.WaitAsync(NodeNetwork.Limit);
        Assert.Equal(items.Select(n => n.Hash), response.Fetch.Notifications.Select(p => NotificationProtobuf.FromProto(p).Hash));
    }

    [Fact]
    public async Task A_reader_that_never_reads_is_cut_off_after_the_write_stall_and_its_budget_given_back()
    {
        await using NodeNetwork net = await NodeNetwork.StartAsync(new NnrpServiceOptions { WriteStallTimeout = Stall });
        await FillAsync(net, 500, 0x42);

        await using Libp2pStream stream = await net.OpenStreamAsync();
        await SendFetchAsync(stream, 0x42, 500);
        // ~1.15 MB: a 256 KiB window and a 256 KiB send buffer later, the node's writer waits.
        await NodeNetwork.UntilAsync(() => net.Node.FetchBudget.InFlight > 0, "the answer holds budget");
        await NodeNetwork.UntilAsync(() => net.Node.FetchBudget.InFlight == 0, "the stalled answer gives its budget back");

        await Assert.ThrowsAnyAsync<IOException>(() => NnrpCodec.ReadResponseAsync(stream.Input, CancellationToken.None).AsTask().WaitAsync(NodeNetwork.Limit));
        NotificationPage page = await net.Client.FetchAsync(net.NodeAddress, Prefix(0x42, 500)).WaitAsync(NodeNetwork.Limit);
        Assert.Equal(500, page.Notifications.Count);
    }

    [Fact]
    public async Task Fetches_over_the_peer_or_node_budget_are_answered_OVER_CAPACITY_while_a_page_is_held()
    {
        long page = FetchBudget.WorstCase(500);
        await using NodeNetwork net = await NodeNetwork.StartAsync(new NnrpServiceOptions { WriteStallTimeout = TimeSpan.FromSeconds(10) },
            fetchBudget: new FetchBudgetOptions { PerClientBytes = page, TotalBytes = page + page / 2 });
        await FillAsync(net, 500, 0x42);
        await using Libp2pHost other = new(KeyPair.Generate(), new HostOptions { ListenAddresses = [Multiaddr.Parse("/ip4/127.0.0.1/tcp/0")] }, NullLoggerFactory.Instance);
        await other.StartAsync(CancellationToken.None);
        var otherClient = new NnrpClient(other);

        await using Libp2pStream held = await net.OpenStreamAsync();
        await SendFetchAsync(held, 0x42, 500);
        await NodeNetwork.UntilAsync(() => net.Node.FetchBudget.InFlight > page / 2, "the unread answer holds budget");

        long held1 = net.Node.FetchBudget.InFlight;
        var samePeer = await Assert.ThrowsAsync<NnrpRefusedException>(() => net.Client.FetchAsync(net.NodeAddress, Prefix(0x42, 500)));
        Assert.True(net.Node.FetchBudget.InFlight >= held1, "the unread answer still holds its budget");
        var nodeWide = await Assert.ThrowsAsync<NnrpRefusedException>(() => otherClient.FetchAsync(net.NodeAddress, Prefix(0x42, 500)));
        NotificationPage small = await otherClient.FetchAsync(net.NodeAddress, Prefix(0x42, 10)).WaitAsync(NodeNetwork.Limit);

        Assert.Equal(StatusCode.OverCapacity, samePeer.Status);
        Assert.True(samePeer.RetryAfterSeconds >= 1);
        Assert.Equal(StatusCode.OverCapacity, nodeWide.Status);
        Assert.Equal(10, small.Notifications.Count);
        held.Reset();
        await NodeNetwork.UntilAsync(() => net.Node.FetchBudget.InFlight == 0, "the reset stream gives its budget back");
        Assert.Equal(500, (await net.Client.FetchAsync(net.NodeAddress, Prefix(0x42, 500)).WaitAsync(NodeNetwork.Limit)).Notifications.Count);
    }

    private static async Task FillAsync(NodeNetwork net, int count, byte firstByte)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        for (int i = 0; i < count; i++)
        {
            Notification n = Notifications.WithWorkValue(Notifications.Make(Notifications.TagStartingWith(firstByte), now, payloadSize: NotificationLimits.MaxPayload), Notifications.CheapBase);
            Nnrp.Node.Decisions.Decision result = await net.Node.Ingress.SubmitAsync(n);
            Assert.True(result.IsStored, $"item {i}: {result.Status} {result.Message}");
        }
    }

    private static FetchQuery Prefix(byte firstByte, int limit) =>
        FetchQuery.FromProto(new FetchRequest { TagPrefix = new TagPrefix { Bits = 8, Prefix = ByteString.CopyFrom(firstByte) }, Limit = (uint)limit });

    private static async Task SendFetchAsync(Libp2pStream stream, byte firstByte, int limit)
    {
        var request = new Request { Fetch = new FetchRequest { TagPrefix = new TagPrefix { Bits = 8, Prefix = ByteString.CopyFrom(firstByte) }, Limit = (uint)limit } };
        await NnrpCodec.WriteAsync(stream.Output, request, NnrpProtocol.MaxRequestSize, CancellationToken.None);
        stream.CloseWrite();
    }

    private static async Task<byte[]> WrittenAsync(Func<PipeWriter, ValueTask> write)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        await write(pipe.Writer);
        pipe.Writer.Complete();
        ReadResult read = await pipe.Reader.ReadAsync();
        while (!read.IsCompleted)
        {
            pipe.Reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await pipe.Reader.ReadAsync();
        }
        byte[] bytes = read.Buffer.ToArray();
        pipe.Reader.AdvanceTo(read.Buffer.End);
        return bytes;
    }

}
