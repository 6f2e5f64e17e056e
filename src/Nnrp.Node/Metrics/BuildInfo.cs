using System.Reflection;

namespace Nnrp.Node.Metrics;

/// <summary>
/// What was built: the product version, the git commit when the build knew it (the SDK appends
/// <c>+commit</c> to the informational version from the repository's .git), and the .NET runtime.
/// </summary>
public sealed record BuildInfo(string Version, string? Commit, string RuntimeVersion)
{
    public static BuildInfo Current { get; } = Read(typeof(BuildInfo).Assembly);

    public static BuildInfo Read(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        string version = plus < 0 ? informational : informational[..plus];
        string? commit = plus < 0 || plus == informational.Length - 1 ? null : informational[(plus + 1)..];
        return new BuildInfo(version, commit, Environment.Version.ToString());
    }
}
