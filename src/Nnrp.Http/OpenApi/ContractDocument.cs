using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Nnrp.Http.Health;
using Nnrp.Protocol.Reasons;

namespace Nnrp.Http.OpenApi;

/// <summary>
/// <c>GET /openapi.json</c> (NNRP.md §12, issue 14 item 4): the OpenAPI 3.1 document of the HTTP
/// door, generated from the endpoints' metadata. Transformers add what the metadata cannot say:
/// the 429/500 answers the middleware gives on every route, the routes that are not route handlers
/// (health checks, this document), the protobuf request body and the reason words.
/// The §12 endpoint table and this document are compared by tests/Nnrp.Http.Tests/Contract.
/// </summary>
internal static class ContractDocument
{
    public const string Path = "/openapi.json";

    /// <summary>Operation tags: the mailbox routes, the node's own state, and the health and document routes.</summary>
    public const string NotificationsTag = "notifications";

    public const string NodeTag = "node";

    private const string DoorTag = "door";

    private const string DocumentName = "v1";

    private const string ProblemSchema = nameof(ProblemDocument);

    /// <summary>Answers the middleware may give on every route (§12: the rate limit, a failure of the node).</summary>
    private static readonly int[] EveryRoute = [StatusCodes.Status429TooManyRequests, StatusCodes.Status500InternalServerError];

    /// <summary>The reason words a problem's <c>reason</c> may carry (NNRP.md §12 table).</summary>
    private static readonly string[] ProblemReasons =
    [
        ReasonWords.BadForm, ReasonWords.InsufficientWork, ReasonWords.Expired, ReasonWords.Future,
        ReasonWords.OverCapacity, ReasonWords.RateLimited, ReasonWords.NotFound, ReasonWords.Internal,
        ReasonWords.WrongShard,
    ];

    public static void AddServices(IServiceCollection services)
    {
        // Integers are JSON numbers on this door; strings are not accepted in their place (§12), so
        // the schemas must not say "integer or string" (the web default reads numbers from strings).
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer((document, context, cancellationToken) => DescribeAsync(document, context, cancellationToken));

            options.AddSchemaTransformer((schema, context, _) =>
            {
                // What annotations cannot say: the reason words, and the byte encodings by their
                // names in the OpenAPI format registry (patterns say the same for validators).
                switch (context.JsonPropertyInfo)
                {
                    case { Name: "reason", DeclaringType: var type } when type == typeof(ProblemDocument):
                        schema.Enum = [.. ProblemReasons.Select(word => (JsonNode)JsonValue.Create(word))];
                        break;
                    case { Name: "payload", DeclaringType: var type } when type == typeof(NotificationDocument):
                        schema.Format = "byte";
                        break;
                    case { Name: "next_cursor", DeclaringType: var type } when type == typeof(MailboxPage):
                        schema.Format = "base64url";
                        break;
                }
                return Task.CompletedTask;
            });
        });
    }

    public static void Map(WebApplication app) => app.MapOpenApi(Path);

    /// <summary>
    /// <paramref name="handler"/> as a route handler: mapped as a <see cref="RequestDelegate"/> an
    /// endpoint is invisible to the API explorer (and so to /openapi.json); as a plain delegate it
    /// is described, and its builder takes <c>Produces</c> metadata.
    /// </summary>
    public static Delegate Described(Func<HttpContext, Task> handler) => handler;

    /// <summary>Declares problem answers (<see cref="ProblemDocument"/>, <c>application/problem+json</c>) for the given statuses.</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (int status in statuses)
        {
            builder.Produces<ProblemDocument>(status, Problems.ContentType);
        }
        return builder;
    }

    private static async Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        AssemblyName assembly = typeof(ContractDocument).Assembly.GetName();
        string version = typeof(ContractDocument).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.Version?.ToString() ?? "0";
        document.Info = new OpenApiInfo
        {
            Title = assembly.Name ?? "Nnrp.Http",
            Version = version,
            Description = "The HTTP door of an NNRP node; normative text: protocols/NNRP.md §12.",
        };
        document.Servers = [];
        OpenApiSchema problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDocument), null, cancellationToken);
        document.AddComponent(ProblemSchema, problem);

        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag { Name = DoorTag, Description = "Health and this document." });
        AddHealth(document, HealthEndpoints.LivePath, "Liveness: every check tagged live passes.", HealthJson(), HealthJson());
        AddHealth(document, HealthEndpoints.ReadyPath, "Readiness: every check tagged ready passes (the store answers, the DHT has bootstrapped).", HealthJson(), HealthJson());
        AddHealth(document, HealthEndpoints.LegacyPath, "Liveness, the answer from before /health/live.",
            Json(new OpenApiSchema { Type = JsonSchemaType.Object, Properties = new Dictionary<string, IOpenApiSchema> { ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("ok")] } } }),
            ProblemContent(document));
        document.Paths[Path] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Tags = new HashSet<OpenApiTagReference> { new(DoorTag, document) },
                    Summary = "This document (OpenAPI 3.1).",
                    Responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "OK", Content = Json(new OpenApiSchema { Type = JsonSchemaType.Object }) } },
                },
            },
        };

        foreach (IOpenApiPathItem path in document.Paths.Values)
        {
            foreach (OpenApiOperation operation in path.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
            {
                operation.Responses ??= [];
                foreach (int status in EveryRoute)
                {
                    string code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (!operation.Responses.ContainsKey(code))
                    {
                        operation.Responses[code] = new OpenApiResponse { Description = status == 429 ? "rate_limited, with Retry-After" : "internal, with correlation_id", Content = ProblemContent(document) };
                    }
                }
            }
        }
    }

    private static void AddHealth(OpenApiDocument document, string path, string summary, Dictionary<string, OpenApiMediaType> ok, Dictionary<string, OpenApiMediaType> failing) =>
        document.Paths[path] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Tags = new HashSet<OpenApiTagReference> { new(DoorTag, document) },
                    Summary = summary,
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse { Description = "healthy", Content = ok },
                        ["503"] = new OpenApiResponse { Description = "unhealthy", Content = failing },
                    },
                },
            },
        };

    private static Dictionary<string, OpenApiMediaType> HealthJson()
    {
        var word = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("healthy"), JsonValue.Create("degraded"), JsonValue.Create("unhealthy")] };
        var check = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status" },
            Properties = new Dictionary<string, IOpenApiSchema> { ["status"] = word, ["description"] = new OpenApiSchema { Type = JsonSchemaType.String } },
        };
        return Json(new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "checks" },
            Properties = new Dictionary<string, IOpenApiSchema> { ["status"] = word, ["checks"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = check } },
        });
    }

    private static Dictionary<string, OpenApiMediaType> Json(IOpenApiSchema schema) => new() { ["application/json"] = new OpenApiMediaType { Schema = schema } };

    private static Dictionary<string, OpenApiMediaType> ProblemContent(OpenApiDocument document) =>
        new() { [Problems.ContentType] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchema, document) } };
}
