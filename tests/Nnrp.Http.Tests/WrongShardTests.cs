using System.Net;
using System.Text.Json;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Shards;

namespace Nnrp.Http.Tests;

/// <summary>NNRP.md §8.3, §12.9: a POST of a tag outside the node's shards is 421 wrong_shard; status shows the shards and bytes.</summary>
public sealed class WrongShardTests
{
    private static RecipientTag TagStartingWith(byte first)
    {
        byte[] bytes = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        bytes[0] = first;
        return RecipientTag.FromBytes(bytes);
    }

    private static StringContent Json(Notification n) => new(NotificationJson.Serialize(n), System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_post_outside_the_shards_is_421_wrong_shard_and_inside_is_202()
    {
        await using ApiFixture api = await ApiFixture.StartAsync(node: o => o with { Shards = new ShardOptions { Setting = ShardSetting.Parse("1/1") } });
        using HttpResponseMessage inside = await api.Client.PostAsync("/v1/notifications", Json(ApiFixture.MakeNotification(TagStartingWith(0x80))));
        using HttpResponseMessage outside = await api.Client.PostAsync("/v1/notifications", Json(ApiFixture.MakeNotification(TagStartingWith(0x7f))));

        Assert.Equal(HttpStatusCode.Accepted, inside.StatusCode);
        Assert.Equal(HttpStatusCode.MisdirectedRequest, outside.StatusCode);
        using JsonDocument problem = JsonDocument.Parse(await outside.Content.ReadAsStringAsync());
        Assert.Equal("wrong_shard", problem.RootElement.GetProperty("reason").GetString());
        Assert.Equal("application/problem+json", outside.Content.Headers.ContentType?.MediaType);

        using JsonDocument status = JsonDocument.Parse(await api.Client.GetStringAsync("/v1/status"));
        JsonElement shard = Assert.Single(status.RootElement.GetProperty("shards").EnumerateArray());
        Assert.Equal((1, 1), (shard.GetProperty("bits").GetInt32(), shard.GetProperty("index").GetInt32()));
        Assert.Equal(api.Node.Store.Statistics.Bytes, status.RootElement.GetProperty("store_bytes").GetInt64());
    }
}
