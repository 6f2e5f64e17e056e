namespace Nnrp.Cli.Tests;

/// <summary>Files of the repository the tests were built from (README.md, deploy/…).</summary>
internal static class RepositoryFiles
{
    public static string Find(params string[] parts)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nnrp.Libp2p.sln")))
            {
                return Path.Combine([dir.FullName, .. parts]);
            }
        }
        throw new InvalidOperationException("no Nnrp.Libp2p.sln above " + AppContext.BaseDirectory);
    }
}
