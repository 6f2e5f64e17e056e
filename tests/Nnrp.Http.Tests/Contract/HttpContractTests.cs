using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Node.Decisions;

namespace Nnrp.Http.Tests.Contract;

/// <summary>
/// NNRP.md §12 and the served <c>/openapi.json</c> agree (issue 14 item 4): the §12.2 endpoint
/// table and the document list the same routes with the same status codes, both ways; the §12.9
/// problem table names the statuses, types and titles the node sends; and real answers of a real
/// node validate against the document's schemas.
/// </summary>
public sealed class HttpContractTests : IAsyncLifetime
{
    private ApiFixture _api = null!;

    private JsonDocument _openApi = null!;

    public async Task InitializeAsync()
    {
        _api = await ApiFixture.StartAsync();
        using HttpResponseMessage response = await _api.Client.GetAsync("/openapi.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _openApi = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    public async Task DisposeAsync()
    {
        _openApi.Dispose();
        await _api.DisposeAsync();
    }

    private JsonElement Document => _openApi.RootElement;

    [Fact]
    public void The_section_12_endpoint_table_and_openapi_json_list_the_same_routes_and_status_codes()
    {
        HashSet<string> spec = [];
        foreach (string[] row in SpecTables.Read("http-endpoints"))
        {
            Assert.True(row.Length == 5, $"an endpoint row has 5 cells (method, path, success, refusals, what): {string.Join(" | ", row)}");
            IReadOnlySet<int> success = SpecTables.Codes(row[2]);
            IReadOnlySet<int> refusals = SpecTables.Codes(row[3]);
            Assert.True(success.All(code => code is >= 200 and < 300) && refusals.All(code => code >= 400), $"success codes are 2xx and refusals 4xx/5xx: {string.Join(" | ", row)}");
            spec.UnionWith(success.Concat(refusals).Select(code => $"{row[0].ToUpperInvariant()} {row[1]} {code}"));
        }
        HashSet<string> served = [];
        foreach (JsonProperty path in Document.GetProperty("paths").EnumerateObject())
        {
            foreach (JsonProperty operation in path.Value.EnumerateObject())
            {
                served.UnionWith(operation.Value.GetProperty("responses").EnumerateObject().Select(code => $"{operation.Name.ToUpperInvariant()} {path.Name} {code.Name}"));
            }
        }

        string[] onlyInSpec = [.. spec.Except(served).Order()];
        string[] onlyServed = [.. served.Except(spec).Order()];
        Assert.True(onlyInSpec.Length == 0 && onlyServed.Length == 0,
            $"NNRP.md §12.2 and /openapi.json disagree.\n  in §12.2, not served: {string.Join(", ", onlyInSpec)}\n  served, not in §12.2: {string.Join(", ", onlyServed)}");
    }

    [Fact]
    public void Openapi_json_is_version_3_1_named_and_versioned_after_the_assembly()
    {
        Assert.StartsWith("3.1.", Document.GetProperty("openapi").GetString());
        System.Reflection.AssemblyName http = typeof(HttpApi).Assembly.GetName();
        Assert.Equal(http.Name, Document.GetProperty("info").GetProperty("title").GetString());
        Assert.StartsWith(http.Version!.ToString(3), Document.GetProperty("info").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Openapi_json_reads_back_without_errors_as_an_OpenAPI_3_1_document()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Document.GetRawText()));
        Microsoft.OpenApi.Reader.ReadResult read = await Microsoft.OpenApi.OpenApiDocument.LoadAsync(stream, "json");
        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Equal(Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_1, read.Diagnostic?.SpecificationVersion);
    }

    [Fact]
    public void Openapi_json_states_the_encodings_of_byte_fields()
    {
        JsonElement schemas = Document.GetProperty("components").GetProperty("schemas");
        JsonElement notification = schemas.GetProperty("NotificationDocument").GetProperty("properties");
        Assert.Equal("byte", notification.GetProperty("payload").GetProperty("format").GetString());
        Assert.Equal("base64url", schemas.GetProperty("MailboxPage").GetProperty("properties").GetProperty("next_cursor").GetProperty("format").GetString());
        Assert.Equal("^[0-9a-fA-F]{64}$", notification.GetProperty("recipient_tag").GetProperty("pattern").GetString());
        Assert.Equal("^[0-9a-fA-F]{16}$", notification.GetProperty("work").GetProperty("pattern").GetString());
        JsonElement problem = schemas.GetProperty("ProblemDocument").GetProperty("properties");
        foreach (string member in new[] { "type", "title", "status", "detail", "reason", "required_threshold", "min_prefix_bits", "correlation_id" })
        {
            Assert.True(problem.TryGetProperty(member, out _), $"ProblemDocument lacks '{member}'");
        }
    }

    [Fact]
    public void The_problem_table_names_the_status_and_title_of_every_refusal_the_node_decides()
    {
        Dictionary<string, string[]> table = SpecTables.Read("http-problems").ToDictionary(row => row[0]);
        foreach (DecisionStatus status in Enum.GetValues<DecisionStatus>().Where(s => s is not (DecisionStatus.Accepted or DecisionStatus.Duplicate)))
        {
            foreach (Decision decision in new[] { new Decision(status, "why"), new Decision(status, "why") { MinPrefixBits = 8 } })
            {
                (int http, string reason) = Problems.Of(decision);
                Assert.True(table.TryGetValue(reason, out string[]? row), $"reason '{reason}' is not in the §12.9 table");
                Assert.Contains(http, SpecTables.Codes(row[1]));
            }
        }
        foreach ((string reason, string[] row) in table)
        {
            Assert.Equal(row[3], Problems.Title(reason));
        }
        JsonElement reasons = Document.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDocument").GetProperty("properties").GetProperty("reason").GetProperty("enum");
        Assert.Equal(table.Keys.Order(), reasons.EnumerateArray().Select(r => r.GetString()!).Order());
    }

    [Fact]
    public async Task Answers_of_a_real_node_validate_against_openapi_json()
    {
        RecipientTag tag = ApiFixture.MakeNotification().RecipientTag;
        Notification first = ApiFixture.MakeNotification(tag);
        Notification second = ApiFixture.MakeNotification(tag);
        await ExpectAsync(HttpMethod.Post, "/v1/notifications", 202, Json(NotificationJson.Serialize(first)));
        await ExpectAsync(HttpMethod.Post, "/v1/notifications", 200, Json(NotificationJson.Serialize(first)));
        await ExpectAsync(HttpMethod.Post, "/v1/notifications", 202, Json(NotificationJson.Serialize(second)));

        using JsonDocument page = await ExpectAsync(HttpMethod.Get, $"/v1/notifications?tag={tag}&limit=1", 200);
        string cursor = page.RootElement.GetProperty("next_cursor").GetString()!;
        using JsonDocument last = await ExpectAsync(HttpMethod.Get, $"/v1/notifications?tag={tag}&limit=1&cursor={cursor}", 200);
        Assert.Equal(JsonValueKind.Null, last.RootElement.GetProperty("next_cursor").ValueKind);
        await ExpectAsync(HttpMethod.Get, "/v1/notifications/" + first.Hash.ToRelayAddress(), 200);
        await ExpectAsync(HttpMethod.Get, "/v1/work", 200);
        await ExpectAsync(HttpMethod.Get, "/health/live", 200);
        await ExpectAsync(HttpMethod.Get, "/healthz", 200);
    }

    [Fact]
    public async Task Refusals_carry_the_type_title_and_status_of_the_problem_table()
    {
        Dictionary<string, string[]> table = SpecTables.Read("http-problems").ToDictionary(row => row[0]);
        RecipientTag tag = ApiFixture.MakeNotification().RecipientTag;
        var refusals = new List<JsonDocument>
        {
            await ExpectAsync(HttpMethod.Post, "/v1/notifications", 400, Json("{not json")),
            await ExpectAsync(HttpMethod.Post, "/v1/notifications", 413, Json("{\"pad\": \"" + new string('a', 9000) + "\"}")),
            await ExpectAsync(HttpMethod.Post, "/v1/notifications", 415, new StringContent("hello", Encoding.UTF8, "text/plain")),
            await ExpectAsync(HttpMethod.Post, "/v1/notifications", 422, Json(NotificationJson.Serialize(ApiFixture.MakeNotification(enoughWork: false)))),
            await ExpectAsync(HttpMethod.Get, "/v1/notifications?tag_prefix=&prefix_bits=0", 400),
            await ExpectAsync(HttpMethod.Get, "/v1/notifications?tag=00&limit=x", 400),
            await ExpectAsync(HttpMethod.Get, $"/v1/notifications?tag={tag}&tag={tag}", 400),
            await ExpectAsync(HttpMethod.Get, "/v1/notifications/" + ApiFixture.MakeNotification().Hash.ToRelayAddress(), 404),
        };
        foreach (JsonDocument problem in refusals)
        {
            JsonElement root = problem.RootElement;
            string reason = root.GetProperty("reason").GetString()!;
            Assert.Equal(Problems.TypePrefix + reason, root.GetProperty("type").GetString());
            Assert.Equal(table[reason][3], root.GetProperty("title").GetString());
            Assert.Contains(root.GetProperty("status").GetInt32(), SpecTables.Codes(table[reason][1]));
            problem.Dispose();
        }
    }

    [Fact]
    public async Task A_body_without_length_over_8_KiB_is_413_bad_form_not_a_failure()
    {
        // Raw HTTP: the node answers before the body has been read to its end and closes, which
        // HttpClient, still sending, may report as a reset instead of the answer.
        var url = new Uri(_api.Api.Urls[0]);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(url.Host, url.Port);
        System.Net.Sockets.NetworkStream stream = tcp.GetStream();
        string body = "{\"pad\": \"" + new string('a', 9000) + "\"}";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/notifications HTTP/1.1\r\nHost: node\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        while (!answer.ToString().Contains("}\r\n", StringComparison.Ordinal))
        {
            int read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "the node closed before answering: " + answer);
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        string text = answer.ToString();
        Assert.StartsWith("HTTP/1.1 413 ", text);
        Assert.Contains("Content-Type: application/problem+json", text);
        Assert.Contains("\"reason\":\"bad_form\"", text);
    }

    [Theory]
    [InlineData("Application/JSON")]
    [InlineData("application/json; charset=utf-8")]
    public async Task A_json_media_type_is_matched_whatever_its_case_and_parameters(string mediaType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(NotificationJson.Serialize(ApiFixture.MakeNotification())));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        await ExpectAsync(HttpMethod.Post, "/v1/notifications", 202, content);
    }

    [Theory]
    [InlineData("PUT", "/v1/notifications")]
    [InlineData("DELETE", "/v1/work")]
    [InlineData("HEAD", "/v1/status")]
    [InlineData("GET", "/v2/notifications")]
    public async Task A_method_or_path_not_in_the_table_is_404_not_found(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using HttpResponseMessage response = await _api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        if (method != "HEAD")
        {
            (await NotificationApiTests.ProblemOf(response, HttpStatusCode.NotFound, "not_found")).Dispose();
        }
    }

    /// <summary>Sends a request, checks its status, and validates its body against the document's schema for that answer.</summary>
    private async Task<JsonDocument> ExpectAsync(HttpMethod method, string path, int status, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using HttpResponseMessage response = await _api.Client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"{method} {path}: expected {status}, got {(int)response.StatusCode}: {text}");
        string template = path.StartsWith("/v1/notifications/", StringComparison.Ordinal) ? "/v1/notifications/{address}" : path.Split('?')[0];
        JsonElement answer = Document.GetProperty("paths").GetProperty(template).GetProperty(method.Method.ToLowerInvariant())
            .GetProperty("responses").GetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string mediaType = response.Content.Headers.ContentType!.MediaType!;
        JsonElement described = default;
        Assert.True(answer.TryGetProperty("content", out JsonElement media) && media.TryGetProperty(mediaType, out described),
            $"{method} {path} {status}: the document has no {mediaType} answer");
        var body = JsonDocument.Parse(text);
        IReadOnlyList<string> errors = SchemaCheck.Errors(body.RootElement, described.GetProperty("schema"), Document);
        Assert.True(errors.Count == 0, $"{method} {path} {status} disagrees with /openapi.json:\n  " + string.Join("\n  ", errors) + "\n" + text);
        return body;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
