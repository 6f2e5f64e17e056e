using System.Text.RegularExpressions;

namespace Nnrp.Cli.Tests;

/// <summary>`nnrp keygen`, `key from-seed`, `address`, `work` as a script runs them: exit codes 0/1/2 and readable lines.</summary>
public sealed class WalletCommandTests : IDisposable
{
    private const string Seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string SeedUri = "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7";
    private const string SeedTag = "f687b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01";

    private readonly string _root = Directory.CreateTempSubdirectory("nnrp-wallet-").FullName;

    [Fact]
    public async Task Keygen_writes_an_owner_only_key_file_and_prints_its_uri()
    {
        string path = Dir("k.json");
        (int code, string output) = await RunAsync("keygen", "--out", path);
        Assert.True(code == 0, output);
        Assert.Matches(new Regex(@"^uri\s+nnrp:[13][13-9a-km-uw-z]{51}$", RegexOptions.Multiline), output);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Contains("\"private_key\"", File.ReadAllText(path), StringComparison.Ordinal);

        (int again, string refused) = await RunAsync("keygen", "--out", path);
        Assert.Equal(2, again);
        Assert.Contains("--force", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_from_seed_gives_the_key_of_the_spec_example()
    {
        (int code, string output) = await RunAsync("key", "from-seed", "--seed", Seed, "--index", "0", "--out", Dir("s.json"));
        Assert.True(code == 0, output);
        Assert.Contains(SeedUri, output, StringComparison.Ordinal);
        Assert.Contains(SeedTag, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Address_builds_a_NanoNym_from_a_key_file_and_decodes_it_again()
    {
        await RunAsync("key", "from-seed", "--seed", Seed, "--out", Dir("s.json"));
        (int code, string nanoNym) = await RunAsync("address", "--key", Dir("s.json"), "--spend", new string('1', 64), "--view", new string('2', 64));
        Assert.True(code == 0, nanoNym);
        Assert.StartsWith("nnym_", nanoNym.Trim(), StringComparison.Ordinal);

        (int decoded, string fields) = await RunAsync("address", nanoNym.Trim());
        Assert.True(decoded == 0, fields);
        Assert.Contains("nanonym-v2", fields, StringComparison.Ordinal);
        Assert.Contains(SeedUri, fields, StringComparison.Ordinal);
        Assert.Contains(SeedTag, fields, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_nostr_recipient_is_a_usage_error_saying_it_is_not_an_NNRP_recipient()
    {
        (int code, string output) = await RunAsync("address", "nostr:npub1sn0wdenkukak0d9dfczzeacvhkrgz92ak56egt7vdgzn8pv2wfqqhrjdv9");
        Assert.Equal(2, code);
        Assert.Contains("not an NNRP recipient", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Work_validates_the_spec_example_and_refuses_work_below_the_threshold()
    {
        const string hash = "bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de";
        (int ok, string output) = await RunAsync("work", "--hash", hash, "--validate", "000000000046d662");
        Assert.True(ok == 0, output);
        Assert.Matches(new Regex(@"^value\s+ffffff2707104cb4$", RegexOptions.Multiline), output);

        (int bad, string refused) = await RunAsync("work", "--hash", hash, "--validate", "0000000000000000");
        Assert.Equal(1, bad);
        Assert.Contains("valid", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Work_generates_work_that_meets_the_asked_threshold()
    {
        (int code, string output) = await RunAsync("work", "--hash", new string('a', 64), "--threshold", "ff00000000000000", "--threads", "1");
        Assert.True(code == 0, output);
        Assert.Matches(new Regex(@"^valid\s+yes$", RegexOptions.Multiline), output);
    }

    [Theory]
    [InlineData("keygen", "--bogus")]
    [InlineData("work")]
    [InlineData("work", "--hash", "xyz")]
    [InlineData("work", "--hash", "bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de", "--threshold", "12")]
    [InlineData("key", "from-seed", "--seed", "abc")]
    [InlineData("address")]
    [InlineData("address", "nnrp:xyz")]
    [InlineData("no-such-command")]
    public async Task Bad_arguments_print_a_message_and_exit_with_code_2(params string[] args)
    {
        (int code, string output) = await RunAsync(args);
        Assert.True(code == 2, $"exit {code}:\n{output}");
        Assert.False(string.IsNullOrWhiteSpace(output));
    }

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        await using var process = NnrpProcess.Start(args);
        int code = await process.WaitForExitAsync();
        // Output lines arrive asynchronously; the exit is seen after the pipes close.
        return (code, process.Output);
    }

    private string Dir(string name) => Path.Combine(_root, name);

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
