using System.Text.Json;

namespace Nnrp.Cli.Tests.Json;

/// <summary>`nnrp keygen --json` and `nnrp key from-seed --json`: one object, the same names for both.</summary>
public sealed class KeyJsonTests : IDisposable
{
    private const string Seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string SeedUri = "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7";
    private const string SeedTag = "f687b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01";

    private static readonly string[] Contract = ["key_file", "uri", "public_key", "recipient_tag", "seed_index"];

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-key-json-").FullName;

    [Fact]
    public async Task Key_from_seed_prints_the_spec_example_as_one_object()
    {
        string path = Path.Combine(_root, "s.json");
        JsonRun run = await JsonRun.RunAsync("key", "from-seed", "--seed", Seed, "--index", "3", "--out", path, "--json");
        Assert.True(run.Code == 0, run.Output);
        JsonElement doc = run.Document();
        Assert.Equal(Contract, JsonRun.Names(doc));
        Assert.Equal(path, doc.GetProperty("key_file").GetString());
        Assert.Equal(3u, doc.GetProperty("seed_index").GetUInt32());
        Assert.Equal(64, doc.GetProperty("public_key").GetString()!.Length);

        JsonRun index0 = await JsonRun.RunAsync("key", "from-seed", "--seed", Seed, "--out", Path.Combine(_root, "s0.json"), "--json");
        JsonElement first = index0.Document();
        Assert.Equal(SeedUri, first.GetProperty("uri").GetString());
        Assert.Equal(SeedTag, first.GetProperty("recipient_tag").GetString());
        Assert.Equal(0u, first.GetProperty("seed_index").GetUInt32());
    }

    [Fact]
    public async Task Keygen_json_has_the_same_names_with_a_null_seed_index()
    {
        JsonRun run = await JsonRun.RunAsync("keygen", "--out", Path.Combine(_root, "k.json"), "--json");
        Assert.True(run.Code == 0, run.Output);
        JsonElement doc = run.Document();
        Assert.Equal(Contract, JsonRun.Names(doc));
        Assert.Equal(JsonValueKind.Null, doc.GetProperty("seed_index").ValueKind);
        Assert.StartsWith("nnrp:", doc.GetProperty("uri").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_key_file_is_still_a_usage_error_on_stderr_with_nothing_on_stdout()
    {
        string path = Path.Combine(_root, "twice.json");
        Assert.Equal(0, (await JsonRun.RunAsync("keygen", "--out", path, "--json")).Code);
        JsonRun again = await JsonRun.RunAsync("keygen", "--out", path, "--json");
        Assert.Equal(2, again.Code);
        Assert.Equal("", again.Stdout);
        Assert.Contains("error: ", again.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
