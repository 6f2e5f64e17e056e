using System.CommandLine;

namespace Nnrp.Cli;

/// <summary>
/// <c>nnrp node</c>: every setting of <see cref="NodeSettings"/> as an option, plus
/// <c>--config</c>. Options carry no defaults of their own, so an absent option falls
/// through to the environment, then the config file, then the embedded default.
/// </summary>
internal static class NodeCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON config file with snake_case keys (env NNRP_CONFIG)" };
        var command = new Command("node", "Run an NNRP node") { config };
        foreach (SettingInfo setting in NodeSettings.All)
        {
            string description = $"{setting.Description} (env {setting.EnvironmentName}; default {setting.Default})";
            string name = "--" + setting.Name;
            if (setting.IsList)
            {
                var option = new Option<string[]>(name) { Description = description, Arity = ArgumentArity.OneOrMore };
                command.Options.Add(option);
            }
            else if (setting.IsFlag)
            {
                var option = new Option<bool>(name) { Description = description };
                command.Options.Add(option);
            }
            else
            {
                var option = new Option<string>(name) { Description = description };
                command.Options.Add(option);
            }
        }
        command.SetAction(async (parse, ct) =>
        {
            NodeSettings settings;
            try
            {
                settings = ReadSettings(parse, Environment.GetEnvironmentVariable);
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync("nnrp node: " + ex.Message);
                return 2;
            }
            return await NodeRunner.RunAsync(settings, ct);
        });
        return command;
    }

    /// <summary>The settings of a parsed <c>nnrp node</c> command line, the environment read through <paramref name="environment"/>.</summary>
    public static NodeSettings ReadSettings(ParseResult parse, Func<string, string?> environment)
    {
        IList<Option> options = parse.CommandResult.Command.Options;
        string[]? Read(string name) => options.First(o => o.Name == "--" + name) switch
        {
            Option<string[]> list => parse.GetResult(list) is null or { Implicit: true } ? null : parse.GetValue(list),
            Option<bool> flag => parse.GetResult(flag) is null or { Implicit: true } ? null : [parse.GetValue(flag) ? "true" : "false"],
            Option<string> one => parse.GetResult(one) is null or { Implicit: true } ? null : [parse.GetValue(one)!],
            _ => throw new InvalidOperationException("unexpected option type for " + name),
        };
        return NodeSettings.Resolve(Read, environment, Read("config")?[0] ?? environment("NNRP_CONFIG"));
    }
}
