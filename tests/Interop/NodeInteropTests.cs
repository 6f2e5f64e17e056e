using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Nnrp.Core.Notifications;
using Nnrp.Core.Protocol;
using Nnrp.Core.Work;
using Nnrp.Interop.Harness;
using Nnrp.Libp2p.GossipSub;
using Nnrp.Libp2p.GossipSub.Service;
using Nnrp.Node;
using Nnrp.Node.Gossip;
using Nnrp.Node.Ingress;
using Xunit.Abstractions;

namespace Nnrp.Interop;

/// <summary>
/// The node's wire format proven outside our own code (issue 6): js/nnrp-peer.mjs, written from
/// protocols/NNRP.md alone, builds notifications (§3 hash and protobuf, §6.1 work), publishes
/// them over /nnrp/1.0 (§11) and over GossipSub (§14.3) to an in-process C# node built by the
/// composition root (store, ingress, /nnrp/1.0, NotificationGossip, DHT), checks the store receipt's Ed25519 signature (§11.6)
/// and fetches them back.
/// </summary>
public class NodeInteropTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Cheap work (1 in 16 values passes) so the js side finds it at once.</summary>
    private const ulong BaseThreshold = 0xf000000000000000;
    private static readonly string BaseHex = BaseThreshold.ToString("x16", CultureInfo.InvariantCulture);

    private readonly ILoggerFactory _loggers = TestLogging.Create(output, LogLevel.Warning);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "nnrp-interop-" + Guid.NewGuid().ToString("N"));
    private NnrpNode _node = null!;
    private GossipSubService _gossip = null!;
    private JsPeer _js = null!;

    private string NodeAddress => _node.Addresses[0].ToString();

    /// <summary>Where every peer listens (and so which transport carries the test); the WebSocket subclass says /ws.</summary>
    protected virtual string Listen => "/ip4/127.0.0.1/tcp/0";

    public async Task InitializeAsync()
    {
        // Every peer of the mixed network shares 127.0.0.1: the private-network case of NNRP.md §14.1.
        _node = await NnrpNode.StartAsync(new NnrpNodeOptions
        {
            DataDirectory = _data,
            Host = new() { ListenAddresses = [Nnrp.Libp2p.Addressing.Multiaddr.Parse(Listen)] },
            Ingress = new IngressOptions { Policy = new WorkPolicy { BaseThreshold = BaseThreshold } },
            PrivateNetwork = true,
            Gossip = NotificationGossip.DefaultOptions(privateNetwork: true, TimeSpan.FromMilliseconds(200)),
            SyncOnSchedule = false,
        }, _loggers);
        _gossip = _node.Gossip;

        _js = await JsPeer.StartAsync("js/nnrp-peer.mjs", new Dictionary<string, string> { ["HEARTBEAT_MS"] = "200", ["LISTEN"] = Listen });
        await _js.CallAsync("dial", new { addr = NodeAddress });
        // Both sides see each other on the topic before anything is gossiped.
        await Eventually.TrueAsync(() => _gossip.GetMeshPeers(NotificationGossip.Topics[0]).Count == 1, "the C# node grafts the js peer");
        using var limit = new CancellationTokenSource(Eventually.DefaultTimeout);
        while ((await _js.CallAsync("peers"))["mesh"]!.AsArray().Count == 0)
        {
            await Task.Delay(50, limit.Token);
        }
    }

    public async Task DisposeAsync()
    {
        await _js.DisposeAsync();
        await _node.DisposeAsync();
        _loggers.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    private async Task<JsonObject> BuildAsync(string? tag = null, bool badWork = false) =>
        await _js.CallAsync("build", new { tag, threshold = BaseHex, bad_work = badWork, payload_size = 180 });

    private bool Stored(JsonObject built) => _node.Store.Contains(NotificationHash.Parse(built["hash"]!.GetValue<string>()));

    [Fact]
    public async Task Js_peer_reproduces_the_worked_example_of_the_spec()
    {
        JsonObject example = await _js.CallAsync("example");

        // NNRP.md §13, copied from the text.
        Assert.Equal("bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de", example["hash"]!.GetValue<string>());
        Assert.Equal("ffffff2707104cb4", example["work_value"]!.GetValue<string>());
        Assert.Equal(
            "08011220f687b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01" +
            "1880f2d6ca062080ceda032a40000102030405060708090a0b0c0d0e0f101112131415" +
            "161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738" +
            "393a3b3c3d3e3f3162d6460000000000",
            example["encoded"]!.GetValue<string>());
    }

    [Fact]
    public async Task Js_publish_over_nnrp_is_accepted_with_a_receipt_that_verifies_in_js()
    {
        JsonObject built = await BuildAsync();
        string hash = built["hash"]!.GetValue<string>();

        JsonObject answer = await _js.CallAsync("publish", new { addr = NodeAddress, encoded = built["encoded"]!.GetValue<string>() });

        Assert.Equal((int)StatusCode.Ok, answer["status"]!.GetValue<int>());
        // The node's content hash (§3.2) is the one js computed from the spec.
        Assert.Equal(hash, answer["hash"]!.GetValue<string>());
        JsonObject receipt = answer["receipt"]!.AsObject();
        Assert.True(receipt["signature_valid"]!.GetValue<bool>(), "Ed25519 receipt signature verifies in js");
        Assert.True(receipt["matches_notification"]!.GetValue<bool>(), "receipt names the hash and expiry");
        Assert.True(receipt["signed_by_node"]!.GetValue<bool>(), "receipt key is the node's PeerId key");
        Assert.True(Stored(built));
        // Accepted from one door, spread through another: the node gossips it back to js.
        JsonObject gossiped = await _js.WaitForEventAsync("message", e => e["hash"]?.GetValue<string>() == hash);
        Assert.Equal(built["encoded"]!.GetValue<string>(), gossiped["data"]!.GetValue<string>());
    }

    [Fact]
    public async Task Publishing_the_same_notification_again_is_a_duplicate_with_a_receipt()
    {
        JsonObject built = await BuildAsync();
        await _js.CallAsync("publish", new { addr = NodeAddress, encoded = built["encoded"]!.GetValue<string>() });

        JsonObject again = await _js.CallAsync("publish", new { addr = NodeAddress, encoded = built["encoded"]!.GetValue<string>() });

        Assert.Equal((int)StatusCode.Duplicate, again["status"]!.GetValue<int>());
        Assert.True(again["receipt"]!["signature_valid"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Js_gives_a_notification_the_same_gossip_message_id_content_hash_then_work()
    {
        JsonObject built = await BuildAsync();
        string encoded = built["encoded"]!.GetValue<string>();

        JsonObject answer = await _js.CallAsync("message_id", new { encoded });

        MessageId ours = NotificationGossip.MessageIdOf(new GossipMessage(NotificationGossip.Topics[0], Convert.FromHexString(encoded)));
        Assert.Equal(NotificationGossip.MessageIdSize, ours.Bytes.Length);
        Assert.Equal(ours.ToString(), answer["message_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Js_gossiped_notification_is_stored_by_the_csharp_node()
    {
        JsonObject built = await BuildAsync();

        JsonObject sent = await _js.CallAsync("gossip", new { encoded = built["encoded"]!.GetValue<string>() });

        Assert.Contains(_node.PeerId.ToString(), sent["recipients"]!.AsArray().Select(p => p!.GetValue<string>()));
        await Eventually.TrueAsync(() => Stored(built), "the gossiped notification is in the C# store");
    }

    [Fact]
    public async Task Notification_with_too_little_work_is_refused_with_insufficient_work_through_both_doors()
    {
        JsonObject bad = await BuildAsync(badWork: true);
        Assert.True(ulong.Parse(bad["work_value"]!.GetValue<string>(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) < BaseThreshold);

        JsonObject answer = await _js.CallAsync("publish", new { addr = NodeAddress, encoded = bad["encoded"]!.GetValue<string>() });

        Assert.Equal((int)StatusCode.InsufficientWork, answer["status"]!.GetValue<int>());
        Assert.Equal(BaseHex, answer["required_threshold"]!.GetValue<string>());
        Assert.Null(answer["receipt"]);

        long rejected = _gossip.Metrics.Rejected;
        await _js.CallAsync("gossip", new { encoded = bad["encoded"]!.GetValue<string>() });
        // The gossip validator is the same gate: Reject (P4 for the sender), nothing stored.
        await Eventually.TrueAsync(() => _gossip.Metrics.Rejected > rejected, "the gossip validator rejects it");
        Assert.False(Stored(bad));
    }

    [Fact]
    public async Task Js_fetch_by_tag_and_by_tag_prefix_returns_what_both_doors_stored()
    {
        JsonObject first = await BuildAsync();
        string tag = first["tag"]!.GetValue<string>();
        JsonObject second = await BuildAsync(tag);
        Assert.Equal((int)StatusCode.Ok, (await _js.CallAsync("publish", new { addr = NodeAddress, encoded = first["encoded"]!.GetValue<string>() }))["status"]!.GetValue<int>());
        await _js.CallAsync("gossip", new { encoded = second["encoded"]!.GetValue<string>() });
        await Eventually.TrueAsync(() => Stored(second), "the gossiped notification is stored");
        string[] expected = [first["hash"]!.GetValue<string>(), second["hash"]!.GetValue<string>()];

        JsonObject byTag = await _js.CallAsync("fetch", new { addr = NodeAddress, tag, threshold = BaseHex });
        JsonObject byPrefix = await _js.CallAsync("fetch", new { addr = NodeAddress, tag, prefix_bits = 12, limit = 1, threshold = BaseHex });

        Assert.Equal((int)StatusCode.Ok, byTag["status"]!.GetValue<int>());
        Assert.Equal(expected.Order(), Hashes(byTag).Order());
        // Encoded bytes round-trip: js re-encodes what it decoded, canonically as it sent it.
        Assert.Contains(first["encoded"]!.GetValue<string>(), byTag["notifications"]!.AsArray().Select(n => n!["encoded"]!.GetValue<string>()));
        Assert.Equal((int)StatusCode.Ok, byPrefix["status"]!.GetValue<int>());
        Assert.Superset(expected.ToHashSet(), Hashes(byPrefix).ToHashSet());
        Assert.True(byPrefix["pages"]!.GetValue<int>() >= 2, "limit 1 pages through next_cursor");
    }

    [Fact]
    public async Task Js_status_reports_the_node_thresholds()
    {
        JsonObject status = await _js.CallAsync("status", new { addr = NodeAddress });

        Assert.Equal((int)StatusCode.Ok, status["status"]!.GetValue<int>());
        Assert.Equal(BaseHex, status["base_threshold"]!.GetValue<string>());
        Assert.StartsWith("nnrp-dotnet/", status["agent"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0aff")] // publish, length 255 with no bytes behind it
    [InlineData("12021801")] // fetch with neither recipient_tag nor tag_prefix
    [InlineData("ffffffffffffffffffff01")] // a varint longer than 64 bits
    public async Task Request_that_does_not_decode_is_refused_bad_form_and_the_stream_reset(string body)
    {
        JsonObject answer = await _js.CallAsync("request", new { addr = NodeAddress, body });

        // §11.1: BAD_FORM "when possible", then a reset; the reset may overtake the answer.
        if (answer["reset"] is null)
        {
            Assert.Equal((int)StatusCode.BadForm, answer["status"]!.GetValue<int>());
        }
        Assert.Equal(0, _node.Store.Statistics.Count);
        // Only that stream failed: the connection still serves requests.
        Assert.Equal((int)StatusCode.Ok, (await _js.CallAsync("status", new { addr = NodeAddress }))["status"]!.GetValue<int>());
    }

    private static IEnumerable<string> Hashes(JsonObject page) =>
        page["notifications"]!.AsArray().Select(n => n!["hash"]!.GetValue<string>());
}
