using System.Security.Cryptography;
using Google.Protobuf;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Node.Storage;
using Nnrp.Node.Sync;
using Nnrp.Protocol.Sync;
using SyncRange = Nnrp.Protocol.Sync.SyncRange;

namespace Nnrp.Node.Tests.Sync;

/// <summary>Runs sessions between in-memory sets through the real wire encoding, counting rounds and bytes.</summary>
internal static class SyncHarness
{
    public static TimeKey RandomKey(ulong timestamp) => new(timestamp, NotificationHash.FromBytes(RandomNumberGenerator.GetBytes(32)));

    public static List<TimeKey> RandomKeys(int count, ulong firstTimestamp = 1_767_225_600, int perSecond = 3) =>
        Enumerable.Range(0, count).Select(i => RandomKey(firstTimestamp + (ulong)(i / perSecond))).ToList();

    /// <summary>A responder over a set, answering through protobuf bytes as a node would.</summary>
    public static Func<IReadOnlyList<SyncRange>, (int Answered, IReadOnlyList<SyncRange> Ranges, long Bytes)> Honest(ISyncSet set) => request =>
    {
        byte[] requestBytes = Encode(request);
        List<SyncRange> received = SyncWire.FromProto(SyncReconcile.Parser.ParseFrom(requestBytes).Ranges,
            SyncLimits.MaxRequestRanges, SyncLimits.InitiatorIdListMax, SyncLimits.MaxRequestRanges * SyncLimits.InitiatorIdListMax);
        SyncAnswer answer = SyncResponder.Answer(set, received);
        var response = new SyncResponse { Answered = (uint)answer.Answered };
        response.Ranges.Add(answer.Ranges.Select(SyncWire.ToProto));
        byte[] responseBytes = response.ToByteArray();
        SyncResponse parsed = SyncResponse.Parser.ParseFrom(responseBytes);
        List<SyncRange> ranges = SyncWire.FromProto(parsed.Ranges, SyncLimits.MaxResponseRanges, SyncLimits.ResponderIdListMax, SyncLimits.MaxResponseIds, allowOpen: true);
        return ((int)parsed.Answered, ranges, requestBytes.Length + responseBytes.Length);
    };

    public static byte[] Encode(IReadOnlyList<SyncRange> ranges)
    {
        var message = new SyncReconcile();
        message.Ranges.Add(ranges.Select(SyncWire.ToProto));
        return message.ToByteArray();
    }

    /// <summary>Runs <paramref name="session"/> against <paramref name="respond"/> until it completes or its budget ends.</summary>
    public static SyncSession Run(SyncSession session, Func<IReadOnlyList<SyncRange>, (int, IReadOnlyList<SyncRange>, long)> respond)
    {
        while (session.NextRequest() is { } request)
        {
            Assert.True(Encode(request).Length <= SyncLimits.RequestBudget, "a request exceeds the 4 KiB budget");
            (int answered, IReadOnlyList<SyncRange> ranges, long bytes) = respond(request);
            session.CountBytes(bytes);
            session.Apply(answered, ranges);
        }
        return session;
    }

    public static SyncSession Reconcile(MemorySyncSet initiator, MemorySyncSet responder) =>
        Run(new SyncSession(initiator), Honest(responder));

    /// <summary>Asserts Need = responder − initiator and Offer = initiator − responder.</summary>
    public static void AssertFoundDifferences(MemorySyncSet initiator, MemorySyncSet responder, SyncSession session)
    {
        Assert.True(session.IsComplete);
        var mine = initiator.Items.Select(k => k.Hash).ToHashSet();
        var theirs = responder.Items.Select(k => k.Hash).ToHashSet();
        Assert.Equal(theirs.Except(mine).Order(), session.Need.Order());
        Assert.Equal(mine.Except(theirs).Order(), session.Offer.Order());
    }
}
