using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;

namespace Nnrp.Http.Tests;

/// <summary>POST and GET of notifications: the JSON contract of NNRP.md §12 and issue 6 item 6.</summary>
public sealed class NotificationApiTests : IAsyncLifetime
{
    private ApiFixture _api = null!;

    public async Task InitializeAsync() => _api = await ApiFixture.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task A_valid_notification_is_accepted_with_hash_address_and_a_verifiable_receipt()
    {
        Notification n = ApiFixture.MakeNotification();

        using HttpResponseMessage first = await PostJsonAsync(NotificationJson.Serialize(n));
        using HttpResponseMessage again = await PostJsonAsync(NotificationJson.Serialize(n));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using JsonDocument body = await JsonOf(first);
        JsonElement root = body.RootElement;
        NotificationHash hash = n.Hash;
        Assert.Equal(Hex.Encode(hash.ToArray()), root.GetProperty("hash").GetString());
        Assert.Equal(hash.ToRelayAddress(), root.GetProperty("address").GetString());
        JsonElement receipt = root.GetProperty("receipt");
        var proto = new Nnrp.Core.Protocol.StoreReceipt
        {
            Hash = Google.Protobuf.ByteString.CopyFrom(Convert.FromHexString(receipt.GetProperty("hash").GetString()!)),
            ExpiresAt = receipt.GetProperty("expires_at").GetUInt64(),
            NodePublicKey = Google.Protobuf.ByteString.CopyFrom(Convert.FromHexString(receipt.GetProperty("node_public_key").GetString()!)),
            Signature = Google.Protobuf.ByteString.CopyFrom(Convert.FromHexString(receipt.GetProperty("signature").GetString()!)),
        };
        Assert.True(StoreReceipts.Verify(proto));
        Assert.Equal(n.ExpiresAt, proto.ExpiresAt);
    }

    [Fact]
    public async Task A_protobuf_body_is_accepted_too()
    {
        Notification n = ApiFixture.MakeNotification();
        using var content = new ByteArrayContent(NotificationProtobuf.Encode(n));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");

        using HttpResponseMessage response = await _api.Client.PostAsync("/v1/notifications", content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.NotNull(_api.Node.Store.Get(n.Hash));
    }

    [Fact]
    public async Task Short_work_is_refused_with_the_threshold_needed_and_nothing_is_stored()
    {
        Notification n = ApiFixture.MakeNotification(enoughWork: false);

        using HttpResponseMessage response = await PostJsonAsync(NotificationJson.Serialize(n));

        using JsonDocument problem = await ProblemOf(response, HttpStatusCode.UnprocessableEntity, "insufficient_work");
        Assert.Equal(ApiFixture.CheapBase.ToString("x16"), problem.RootElement.GetProperty("required_threshold").GetString());
        Assert.Null(_api.Node.Store.Get(n.Hash));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"version\": 1}")]
    [InlineData("[]")]
    public async Task Malformed_documents_are_bad_form(string body)
    {
        using HttpResponseMessage response = await PostJsonAsync(body);
        (await ProblemOf(response, HttpStatusCode.BadRequest, "bad_form")).Dispose();
    }

    [Fact]
    public async Task A_body_over_8_KiB_is_refused_before_parsing()
    {
        using HttpResponseMessage response = await PostJsonAsync("{\"pad\": \"" + new string('a', 9000) + "\"}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_content_type_is_refused()
    {
        using var content = new StringContent("hello", Encoding.UTF8, "text/plain");
        using HttpResponseMessage response = await _api.Client.PostAsync("/v1/notifications", content);
        (await ProblemOf(response, HttpStatusCode.UnsupportedMediaType, "bad_form")).Dispose();
    }

    [Fact]
    public async Task A_mailbox_is_fetched_by_tag_and_by_prefix_page_by_page()
    {
        RecipientTag tag = ApiFixture.MakeNotification().RecipientTag;
        var sent = new List<Notification>();
        for (int i = 0; i < 3; i++)
        {
            Notification n = ApiFixture.MakeNotification(tag);
            sent.Add(n);
            (await PostJsonAsync(NotificationJson.Serialize(n))).Dispose();
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            string url = $"/v1/notifications?tag={tag}&limit=2" + (cursor is null ? "" : "&cursor=" + cursor);
            using JsonDocument page = await JsonOf(await _api.Client.GetAsync(url));
            foreach (JsonElement item in page.RootElement.GetProperty("notifications").EnumerateArray())
            {
                Assert.Equal(tag.ToString(), item.GetProperty("recipient_tag").GetString());
                seen.Add(NotificationJson.Parse(item.GetRawText()).Hash.ToString());
            }
            cursor = page.RootElement.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(sent.Select(n => n.Hash.ToString()).Order(), seen.Order());

        string prefix = tag.ToString()[..4];
        using JsonDocument byPrefix = await JsonOf(await _api.Client.GetAsync($"/v1/notifications?tag_prefix={prefix}&prefix_bits=16"));
        Assert.Equal(3, byPrefix.RootElement.GetProperty("notifications").GetArrayLength());
    }

    [Fact]
    public async Task A_notification_is_fetched_by_its_relay_address()
    {
        Notification n = ApiFixture.MakeNotification();
        (await PostJsonAsync(NotificationJson.Serialize(n))).Dispose();

        using JsonDocument one = await JsonOf(await _api.Client.GetAsync("/v1/notifications/" + n.Hash.ToRelayAddress()));
        Assert.Equal(n.Hash, NotificationJson.Parse(one.RootElement.GetRawText()).Hash);

        Notification other = ApiFixture.MakeNotification();
        (await ProblemOf(await _api.Client.GetAsync("/v1/notifications/" + other.Hash.ToRelayAddress()), HttpStatusCode.NotFound, "not_found")).Dispose();
        (await ProblemOf(await _api.Client.GetAsync("/v1/notifications/nr_garbage"), HttpStatusCode.BadRequest, "bad_form")).Dispose();
    }

    [Fact]
    public async Task A_fetch_with_both_tag_and_prefix_or_a_bad_cursor_is_bad_form()
    {
        (await ProblemOf(await _api.Client.GetAsync("/v1/notifications?tag=00&tag_prefix=00"), HttpStatusCode.BadRequest, "bad_form")).Dispose();
        (await ProblemOf(await _api.Client.GetAsync("/v1/notifications"), HttpStatusCode.BadRequest, "bad_form")).Dispose();
        string tag = ApiFixture.MakeNotification().RecipientTag.ToString();
        (await ProblemOf(await _api.Client.GetAsync($"/v1/notifications?tag={tag}&cursor=AAAA"), HttpStatusCode.BadRequest, "bad_form")).Dispose();
        (await ProblemOf(await _api.Client.GetAsync($"/v1/notifications?tag={tag}&limit=501"), HttpStatusCode.BadRequest, "bad_form")).Dispose();
    }

    private Task<HttpResponseMessage> PostJsonAsync(string json) =>
        _api.Client.PostAsync("/v1/notifications", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<JsonDocument> JsonOf(HttpResponseMessage response)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text);
    }

    internal static async Task<JsonDocument> ProblemOf(HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var doc = JsonDocument.Parse(text);
        Assert.Equal(reason, doc.RootElement.GetProperty("reason").GetString());
        Assert.Equal((int)status, doc.RootElement.GetProperty("status").GetInt32());
        return doc;
    }
}
