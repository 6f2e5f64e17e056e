using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Node.Tests.Testing;
using Nnrp.Protocol.Requests;
using Notification = Nnrp.Core.Notifications.Notification;

namespace Nnrp.Node.Tests.Protocol;

/// <summary>
/// The client reads a canonical OK fetch answer straight into notifications
/// (<see cref="FetchReplyReader"/>) and hands anything else to the protobuf parser: whatever
/// the bytes, the fast path never disagrees with the generic parse followed by
/// <c>NotificationProtobuf.FromProto</c>.
/// </summary>
public sealed class FetchReplyReaderTests
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(0, false, 1)]
    [InlineData(1, true, 1)]
    [InlineData(37, false, 7)]
    [InlineData(300, true, 4096)]
    [InlineData(500, true, 65536)]
    public async Task A_nodes_answer_is_read_directly_and_equals_the_generic_parse(int count, bool cursor, int segmentSize)
    {
        byte[] bytes = await AnswerAsync(Items(count), cursor ? [9, 8, 7] : []);

        Assert.True(FetchReplyReader.TryRead(Segmented(bytes, segmentSize), out List<Notification> direct, out byte[] next));

        (List<Notification> generic, byte[] genericNext) = Generic(bytes)!.Value;
        AssertSame(generic, genericNext, direct, next);
        Assert.Equal(count, direct.Count);
    }

    [Fact]
    public async Task The_codec_returns_the_page_without_a_response_for_a_canonical_answer()
    {
        byte[] bytes = await AnswerAsync(Items(3), [1]);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Framed(bytes));
        await pipe.Writer.CompleteAsync();

        FetchReply answer = await NnrpCodec.ReadFetchReplyAsync(pipe.Reader, CancellationToken.None);

        Assert.Null(answer.Response);
        Assert.Equal(3, answer.Notifications.Count);
        Assert.Equal([1], answer.NextCursor);
    }

    [Fact]
    public async Task A_refusal_goes_to_the_generic_parser()
    {
        var refusal = new Response { Status = StatusCode.RateLimited, Message = "slow down", RetryAfterSeconds = 3 };
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Framed(refusal.ToByteArray()));
        await pipe.Writer.CompleteAsync();

        FetchReply answer = await NnrpCodec.ReadFetchReplyAsync(pipe.Reader, CancellationToken.None);

        Assert.Equal(refusal, answer.Response);
    }

    [Fact]
    public async Task An_unspecified_status_is_refused_as_before()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Framed(new Response { Message = "x" }.ToByteArray()));
        await pipe.Writer.CompleteAsync();

        await Assert.ThrowsAsync<NnrpWireException>(() => NnrpCodec.ReadFetchReplyAsync(pipe.Reader, CancellationToken.None).AsTask());
    }

    public static TheoryData<string, byte[]> NonCanonical() => new()
    {
        // fetch (field 11) before status
        { "fields reordered", [0x5a, 0x00, 0x08, 0x01] },
        // an unknown field 15 after the page
        { "unknown response field", [0x08, 0x01, 0x5a, 0x00, 0x78, 0x01] },
        // a page holding one notification that repeats its version field
        { "repeated notification field", [0x08, 0x01, 0x5a, 0x06, 0x0a, 0x04, 0x08, 0x01, 0x08, 0x01] },
        // a notification whose recipient tag is 1 byte
        { "short recipient tag", [0x08, 0x01, 0x5a, 0x05, 0x0a, 0x03, 0x12, 0x01, 0xaa] },
        // next_cursor twice
        { "cursor twice", [0x08, 0x01, 0x5a, 0x06, 0x12, 0x01, 0x01, 0x12, 0x01, 0x02] },
        // version with the wire type of bytes
        { "wrong wire type", [0x08, 0x01, 0x5a, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0x01] },
    };

    [Theory]
    [MemberData(nameof(NonCanonical))]
    public void Non_canonical_encodings_take_the_generic_path(string form, byte[] bytes)
    {
        Assert.False(FetchReplyReader.TryRead(new ReadOnlySequence<byte>(bytes), out _, out _), form);
    }

    [Fact]
    public async Task Mutated_answers_never_read_differently_from_the_generic_parse()
    {
        byte[] original = await AnswerAsync(Items(12), [4, 2]);
        var random = new Random(20261205);
        int direct = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = Mutate(original, random);
            if (!FetchReplyReader.TryRead(Segmented(bytes, 1 + random.Next(64)), out List<Notification> page, out byte[] next))
            {
                continue;
            }
            direct++;
            (List<Notification> Page, byte[] Next)? generic = Generic(bytes);
            Assert.True(generic is not null, "read directly, but the generic path refuses: " + Convert.ToHexString(bytes));
            AssertSame(generic.Value.Page, generic.Value.Next, page, next);
        }
        Assert.True(direct > 100, $"only {direct} mutations were read directly; the test proves little");
    }

    /// <summary>One byte changed, dropped, inserted, or the answer cut short.</summary>
    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        int at = random.Next(bytes.Count);
        switch (random.Next(4))
        {
            case 0: bytes[at] = (byte)random.Next(256); break;
            case 1: bytes.RemoveAt(at); break;
            case 2: bytes.Insert(at, (byte)random.Next(256)); break;
            default: bytes.RemoveRange(at, bytes.Count - at); break;
        }
        return [.. bytes];
    }

    /// <summary>What the client made of the bytes before: protobuf parse, then FromProto per item; null for any error.</summary>
    private static (List<Notification> Page, byte[] Next)? Generic(byte[] bytes)
    {
        try
        {
            Response response = Response.Parser.ParseFrom(bytes);
            if (response.Status != StatusCode.Ok || response.Fetch is null)
            {
                return null;
            }
            return (response.Fetch.Notifications.Select(NotificationProtobuf.FromProto).ToList(), response.Fetch.NextCursor.ToByteArray());
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or NotificationRuleException)
        {
            return null;
        }
    }

    private static void AssertSame(List<Notification> expected, byte[] expectedNext, List<Notification> actual, byte[] actualNext)
    {
        Assert.Equal(expectedNext, actualNext);
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(NotificationProtobuf.Encode(expected[i]), NotificationProtobuf.Encode(actual[i]));
            Assert.Equal(expected[i].Hash, actual[i].Hash);
        }
    }

    private static Notification[] Items(int count) =>
        Enumerable.Range(0, count).Select(i => Notifications.Make(payloadSize: i * 7 % (NotificationLimits.MaxPayload + 1), work: (ulong)i * 0x9E3779B97F4A7C15)).ToArray();

    /// <summary>The answer body as the node writes it (<see cref="NnrpCodec.WriteFetchAsync"/>), without its length prefix.</summary>
    private static async Task<byte[]> AnswerAsync(Notification[] items, byte[] cursor)
    {
        using var written = new MemoryStream();
        PipeWriter writer = PipeWriter.Create(written);
        ReadOnlyMemory<byte>[] stored = items.Select(n => (ReadOnlyMemory<byte>)NotificationProtobuf.Encode(n)).ToArray();
        await NnrpCodec.WriteFetchAsync(writer, stored, cursor, Stall, CancellationToken.None);
        await writer.CompleteAsync();
        var buffer = new ReadOnlySequence<byte>(written.ToArray());
        Assert.True(Nnrp.Libp2p.Encoding.LengthPrefixed.TryRead(ref buffer, NnrpProtocol.MaxResponseSize, out ReadOnlySequence<byte> body));
        return body.ToArray();
    }

    private static byte[] Framed(byte[] body)
    {
        var writer = new ArrayBufferWriter<byte>();
        Nnrp.Libp2p.Encoding.Varint.Write(writer, (ulong)body.Length);
        writer.Write(body);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary><paramref name="bytes"/> cut into segments of <paramref name="size"/> bytes, so fields span segments.</summary>
    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        if (bytes.Length <= size)
        {
            return new ReadOnlySequence<byte>(bytes);
        }
        var first = new Segment(bytes.AsMemory(0, size));
        Segment last = first;
        for (int at = size; at < bytes.Length; at += size)
        {
            last = last.Append(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)));
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
