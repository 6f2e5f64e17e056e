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
        var readers = new Dictionary<string, Func<ParseResult, string[]?>>(StringComparer.Ordinal);
        foreach (SettingInfo setting in NodeSettings.All)
        {
            string description = $"{setting.Description} (env {setting.EnvironmentName}; default {setting.Default})";
            string name = "--" + setting.Name;
            if (setting.IsList)
            {
                var option = new Option<string[]>(name) { Description = description, Arity = ArgumentArity.OneOrMore };
                command.Options.Add(option);
                readers[setting.Name] = parse => parse.GetResult(option) is null ? null : parse.GetValue(option);
            }
            else if (setting.IsFlag)
            {
                var option = new Option<bool>(name) { Description = description };
                command.Options.Add(option);
                readers[setting.Name] = parse => parse.GetResult(option) is null ? null : [parse.GetValue(option) ? "true" : "false"];
            }
            else
            {
                var option = new Option<string>(name) { Description = description };
                command.Options.Add(option);
                readers[setting.Name] = parse => parse.GetResult(option) is null ? null : [parse.GetValue(option)!];
            }
        }
        command.SetAction(async (parse, ct) =>
        {
            NodeSettings settings;
            try
            {
                settings = NodeSettings.Resolve(
                    name => readers[name](parse),
                    Environment.GetEnvironmentVariable,
                    parse.GetValue(config) ?? Environment.GetEnvironmentVariable("NNRP_CONFIG"));
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
}
