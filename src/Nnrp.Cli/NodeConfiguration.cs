using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Nnrp.Cli;

/// <summary>
/// The sources of <c>nnrp node</c> settings, layered with Microsoft.Extensions.Configuration:
/// the JSON file (<c>--config</c> / <c>NNRP_CONFIG</c>, snake_case keys), then the environment
/// (<c>NNRP_&lt;NAME&gt;</c>), then the command line, each later source over the earlier.
/// A setting is taken whole from the highest source that has it: a list given on the command
/// line replaces the file's list instead of overlaying it index by index, as plain layering of
/// configuration providers would (<c>listen:0</c> from one source, <c>listen:1</c> from another).
/// </summary>
internal sealed class NodeConfiguration
{
    public const string EnvironmentPrefix = "NNRP_";

    /// <summary>The config file's own setting: <c>NNRP_CONFIG</c> (the file cannot name itself).</summary>
    public const string ConfigKey = "config";

    private readonly IConfigurationRoot _root;
    private readonly string? _configPath;

    private NodeConfiguration(IConfigurationRoot root, string? configPath)
    {
        _root = root;
        _configPath = configPath;
    }

    /// <summary>The process environment, <c>NNRP_</c> stripped (<c>NNRP_DATA_DIR</c> is <c>DATA_DIR</c>, the key <c>data_dir</c> in any case).</summary>
    public static IConfigurationSource ProcessEnvironment() => new EnvironmentVariablesConfigurationSource { Prefix = EnvironmentPrefix };

    /// <param name="commandLine">The options given, keyed by <see cref="SettingInfo.ConfigName"/>; lists as <c>key:0</c>, <c>key:1</c>, ….</param>
    /// <param name="environment">Keys as the environment provider yields them, prefix stripped.</param>
    /// <param name="configPath">The JSON file, if any; it must exist and hold only known keys.</param>
    /// <exception cref="FormatException">The file is missing, is not a JSON object, or holds an unknown key.</exception>
    public static NodeConfiguration Build(IEnumerable<KeyValuePair<string, string?>> commandLine, IConfigurationSource environment, string? configPath)
    {
        var builder = new ConfigurationBuilder();
        if (configPath is not null)
        {
            builder.AddJsonFile(Path.GetFullPath(configPath), optional: false, reloadOnChange: false);
        }
        builder.Add(environment);
        builder.AddInMemoryCollection(commandLine);
        IConfigurationRoot root;
        try
        {
            root = builder.Build();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or UnauthorizedAccessException or ArgumentException)
        {
            Exception cause = ex;
            while (cause.InnerException is not null)
            {
                cause = cause.InnerException;
            }
            throw new FormatException($"config file {configPath}: {cause.Message}", ex);
        }
        var configuration = new NodeConfiguration(root, configPath);
        configuration.RefuseUnknownFileKeys();
        return configuration;
    }

    /// <summary>The config file named in <paramref name="environment"/> (<c>NNRP_CONFIG</c>), if any.</summary>
    public static string? ConfigPathIn(IConfigurationSource environment) =>
        new ConfigurationBuilder().Add(environment).Build()[ConfigKey] is { Length: > 0 } path ? path : null;

    /// <summary>
    /// The values of <paramref name="setting"/> from the highest source that has it, and how that
    /// source names it (for error messages); null when no source has it. An empty value counts as
    /// absent (compose files blank an inherited <c>NNRP_BOOTSTRAP: ""</c>); a list written as one
    /// string is comma separated.
    /// </summary>
    /// <exception cref="FormatException">The file gives a list where one value belongs, or an object.</exception>
    public (string[] Values, string Source)? Find(SettingInfo setting)
    {
        List<IConfigurationProvider> providers = [.. _root.Providers];
        for (int i = providers.Count - 1; i >= 0; i--)
        {
            string source = providers[i] switch
            {
                JsonConfigurationProvider => $"config file {_configPath}: '{setting.ConfigName}'",
                _ when i == providers.Count - 1 => "--" + setting.Name,
                _ => setting.EnvironmentName,
            };
            if (Read(providers[i], setting, source) is { } values)
            {
                return (values, source);
            }
        }
        return null;
    }

    private static string[]? Read(IConfigurationProvider provider, SettingInfo setting, string source)
    {
        string key = setting.ConfigName;
        string[] children = provider.GetChildKeys([], key).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (children.Length > 0)
        {
            if (!setting.IsList)
            {
                throw new FormatException($"{source} must be one value, not a list or an object");
            }
            // The JSON provider yields an array as key:0, key:1, … in numeric order.
            var values = new string[children.Length];
            for (int i = 0; i < children.Length; i++)
            {
                string path = ConfigurationPath.Combine(key, children[i]);
                if (!int.TryParse(children[i], System.Globalization.CultureInfo.InvariantCulture, out _)
                    || provider.GetChildKeys([], path).Any()
                    || !provider.TryGet(path, out string? value)
                    || value is null)
                {
                    throw new FormatException($"{source} must be a list of strings");
                }
                values[i] = value;
            }
            return values;
        }
        if (!provider.TryGet(key, out string? single) || string.IsNullOrEmpty(single))
        {
            return null;
        }
        return setting.IsList ? single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [single];
    }

    private void RefuseUnknownFileKeys()
    {
        var known = NodeSettings.All.Select(static s => s.ConfigName).ToHashSet(StringComparer.Ordinal);
        foreach (IConfigurationProvider file in _root.Providers.OfType<JsonConfigurationProvider>())
        {
            foreach (string key in file.GetChildKeys([], parentPath: null).Distinct(StringComparer.Ordinal))
            {
                // A misspelt key would silently fall back to a default; refuse it instead.
                if (!known.Contains(key))
                {
                    throw new FormatException($"config file {_configPath}: unknown setting '{key}' (known: {string.Join(", ", known)})");
                }
            }
        }
    }
}
