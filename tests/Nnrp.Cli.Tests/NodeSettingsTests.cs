namespace Nnrp.Cli.Tests;

/// <summary><c>nnrp node</c> settings from the command line, the environment and a JSON file.</summary>
public sealed class NodeSettingsTests
{
    [Fact]
    public void A_flag_given_only_in_the_environment_is_on()
    {
        var environment = new Dictionary<string, string> { ["NNRP_PRIVATE_NETWORK"] = "1" };
        System.CommandLine.ParseResult parse = NodeCommand.Create().Parse(["--data-dir", "x"]);

        NodeSettings settings = NodeCommand.ReadSettings(parse, name => environment.GetValueOrDefault(name));

        Assert.True(settings.PrivateNetwork);
    }
}
