using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Nnrp.Core.Protocol;
using Nnrp.Core.Work;
using Nnrp.Http.OpenApi;
using Nnrp.Libp2p.Addressing;

namespace Nnrp.Http.Endpoints;

/// <summary><c>GET /v1/work</c>, <c>GET /v1/status</c> (health: <see cref="Health.HealthEndpoints"/>; metrics: <see cref="MetricsListener"/>).</summary>
internal static class NodeEndpoints
{
    public static void Map(WebApplication app, HttpApiContext api)
    {
        app.MapGet("/v1/work", ContractDocument.Described(context => WorkAsync(context, api))).WithTags(ContractDocument.NodeTag).Produces<WorkDocument>(StatusCodes.Status200OK);
        app.MapGet("/v1/status", ContractDocument.Described(context => StatusAsync(context, api))).WithTags(ContractDocument.NodeTag).Produces(StatusCodes.Status200OK, contentType: "application/json");
    }

    private static async Task WorkAsync(HttpContext context, HttpApiContext api)
    {
        ulong baseThreshold = api.Node.Ingress.Policy.BaseThreshold;
        ulong current = api.Node.Ingress.CurrentThreshold;
        await WriteJsonAsync(context, json =>
        {
            json.WriteString("base_threshold", Hex16(baseThreshold));
            json.WriteString("current_threshold", Hex16(current));
            json.WriteNumber("multiplier", Thresholds.ToMultiplier(current, baseThreshold));
        });
    }

    private static async Task StatusAsync(HttpContext context, HttpApiContext api)
    {
        StatusResponse status = api.Node.Status();
        var stats = api.Node.Store.Statistics;
        IReadOnlyList<Multiaddr> addresses = api.Host.GetAdvertisedAddresses(withPeerId: true);
        await WriteJsonAsync(context, json =>
        {
            json.WriteString("peer_id", api.Host.PeerId.ToString());
            json.WriteStartArray("addrs");
            foreach (Multiaddr address in addresses)
            {
                json.WriteStringValue(address.ToString());
            }
            json.WriteEndArray();
            json.WriteString("agent", status.Agent);
            json.WriteNumber("protocol_version", status.ProtocolVersion);
            json.WriteString("base_threshold", Hex16(status.BaseThreshold));
            json.WriteString("current_threshold", Hex16(status.CurrentThreshold));
            json.WriteNumber("stored", status.Stored);
            json.WriteNumber("store_bytes", stats.Bytes);
            json.WriteNumber("now", status.Now);
            json.WriteNumber("max_payload", status.MaxPayload);
            json.WriteNumber("min_ttl", status.MinTtl);
            json.WriteNumber("max_ttl", status.MaxTtl);
            json.WriteNumber("max_page", status.MaxPage);
            json.WriteNumber("connections", api.Host.Connections.Count);
            json.WriteStartArray("shards");
            foreach (Shard shard in status.Shards)
            {
                json.WriteStartObject();
                json.WriteNumber("bits", shard.Bits);
                json.WriteNumber("index", shard.Index);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        });
    }

    private static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> body)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        body(json);
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    private static string Hex16(ulong value) => value.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
