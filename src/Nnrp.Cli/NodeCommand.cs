using System.CommandLine;
using Microsoft.Extensions.Configuration;

namespace Nnrp.Cli;

/// <summary>
/// <c>nnrp node</c>: every setting of <see cref="NodeSettings"/> as an option, plus
/// <c>--config</c>. Options carry no defaults of their own, so an absent option falls
/// through to the environment, then the config file, then the embedded default.
/// </summary>
internal static class NodeCommand
{
    /// <summary>Bad settings: one line on stderr and this exit code, before anything starts (README "Exit codes").</summary>
    public const int UsageExitCode = 2;

    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "JSON config file with snake_case keys (env NNRP_CONFIG)" };
        var command = new Command("node", "Run an NNRP node") { config };
        foreach (SettingInfo setting in NodeSettings.All)
        {
            string description = $"{setting.Description} (env {setting.EnvironmentName}; default {setting.Default})";
            string name = "--" + setting.Name;
            command.Options.Add(setting switch
            {
                { IsList: true } => new Option<string[]>(name) { Description = description, Arity = ArgumentArity.OneOrMore },
                { IsFlag: true } => new Option<bool>(name) { Description = description },
                _ => new Option<string>(name) { Description = description },
            });
        }
        command.SetAction(async (parse, ct) =>
        {
            NodeSettings settings;
            try
            {
                settings = ReadSettings(parse, NodeConfiguration.ProcessEnvironment());
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync("nnrp node: " + ex.Message);
                return UsageExitCode;
            }
            return await NodeRunner.RunAsync(settings, ct);
        });
        return command;
    }

    /// <summary>The settings of a parsed <c>nnrp node</c> command line over <paramref name="environment"/> and the config file.</summary>
    /// <exception cref="FormatException">A setting is malformed, or the config file missing or holding an unknown key.</exception>
    public static NodeSettings ReadSettings(ParseResult parse, IConfigurationSource environment)
    {
        var given = new List<KeyValuePair<string, string?>>();
        string? configPath = null;
        foreach (Option option in parse.CommandResult.Command.Options)
        {
            // An absent option has no result, or (a bool option) an implicit one holding its
            // default: only what the operator typed may hide the environment and the file.
            if (parse.GetResult(option) is not { Implicit: false })
            {
                continue;
            }
            string key = option.Name.TrimStart('-').Replace('-', '_');
            switch (option)
            {
                case Option<string[]> list:
                    string[] values = parse.GetValue(list) ?? [];
                    given.AddRange(values.Select((v, i) => KeyValuePair.Create(ConfigurationPath.Combine(key, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), (string?)v)));
                    break;
                case Option<bool> flag:
                    given.Add(KeyValuePair.Create(key, (string?)(parse.GetValue(flag) ? "true" : "false")));
                    break;
                case Option<string> one when key == NodeConfiguration.ConfigKey:
                    configPath = parse.GetValue(one);
                    break;
                case Option<string> one:
                    given.Add(KeyValuePair.Create(key, parse.GetValue(one)));
                    break;
            }
        }
        configPath ??= NodeConfiguration.ConfigPathIn(environment);
        return NodeSettings.Bind(NodeConfiguration.Build(given, environment, configPath));
    }
}
