using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Nnrp.Core.Work;
using Nnrp.Http.OpenApi;
using Nnrp.Libp2p.Addressing;
using Nnrp.Http.Peers;
using Nnrp.Http.Status;
using Nnrp.Http.StatusPage;

namespace Nnrp.Http.Endpoints;

/// <summary>
/// <c>GET /v1/work</c>, <c>GET /v1/status</c>, <c>GET /v1/peers</c> and the node page <c>GET /</c>
/// (NNRP.md §12; health: <see cref="Health.HealthEndpoints"/>; metrics: <see cref="MetricsListener"/>).
/// </summary>
internal static class NodeEndpoints
{
    public static void Map(WebApplication app, HttpApiContext api, PeerDirectory peers)
    {
        app.MapGet("/v1/work", ContractDocument.Described(context => WorkAsync(context, api))).WithTags(ContractDocument.NodeTag).Produces<WorkDocument>(StatusCodes.Status200OK);
        app.MapGet("/v1/status", () => Status(api)).WithTags(ContractDocument.NodeTag);
        app.MapGet("/v1/peers", () => Peers(peers)).WithTags(ContractDocument.NodeTag);
        app.MapGet("/", (HttpContext context) => Page(context, api)).WithTags(ContractDocument.NodeTag).Produces(StatusCodes.Status200OK, contentType: NodePage.ContentType);
    }

    private static async Task WorkAsync(HttpContext context, HttpApiContext api)
    {
        ulong baseThreshold = api.Node.Ingress.Policy.BaseThreshold;
        ulong current = api.Node.Ingress.CurrentThreshold;
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("base_threshold", NodeStatus.Hex16(baseThreshold));
        json.WriteString("current_threshold", NodeStatus.Hex16(current));
        json.WriteNumber("multiplier", Thresholds.ToMultiplier(current, baseThreshold));
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>Typed, so the OpenAPI document describes the body; refusals (429) come from the admission middleware.</summary>
    private static Results<Ok<StatusBody>, ProblemHttpResult> Status(HttpApiContext api) => TypedResults.Ok(NodeStatus.Read(api));

    private static Results<Ok<PeersBody>, ProblemHttpResult> Peers(PeerDirectory peers) => TypedResults.Ok(peers.Read());

    /// <summary>The node page: HTML, never cached (the values are live), never framed, never sniffed.</summary>
    private static ContentHttpResult Page(HttpContext context, HttpApiContext api)
    {
        IHeaderDictionary headers = context.Response.Headers;
        headers.ContentSecurityPolicy = NodePage.ContentSecurityPolicy;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        return TypedResults.Content(NodePage.Render(NodeStatus.Read(api)), NodePage.ContentType);
    }
}
