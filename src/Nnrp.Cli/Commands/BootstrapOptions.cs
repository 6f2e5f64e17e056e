using System.CommandLine;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Kad;

namespace Nnrp.Cli.Commands;

/// <summary>
/// <c>--bootstrap</c> (repeatable, env <c>NNRP_BOOTSTRAP</c>) and <c>--bootstrap-file</c> (env
/// <c>NNRP_BOOTSTRAP_FILE</c>, default the <c>bootstrap-peers.txt</c> shipped beside the
/// executable): the peers a command starts its DHT walk from. Shared by the wallet commands
/// (<see cref="NetworkOptions"/>) and <c>crawl</c>.
/// </summary>
internal sealed class BootstrapOptions
{
    private readonly Option<string[]> _bootstrap = new("--bootstrap")
    {
        Description = "Bootstrap peer multiaddr with /p2p/; repeatable (env NNRP_BOOTSTRAP, comma separated)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NNRP_BOOTSTRAP")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [],
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string> _bootstrapFile = new("--bootstrap-file")
    {
        Description = "File of bootstrap multiaddrs (env NNRP_BOOTSTRAP_FILE)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("NNRP_BOOTSTRAP_FILE") ?? Path.Combine(AppContext.BaseDirectory, "bootstrap-peers.txt"),
    };

    public void AddTo(Command command)
    {
        command.Options.Add(_bootstrap);
        command.Options.Add(_bootstrapFile);
    }

    /// <summary>
    /// The <c>--bootstrap</c> entries, checked (a malformed one is a usage error), then — when
    /// <paramref name="readFile"/> — the entries of the bootstrap file.
    /// </summary>
    public async Task<List<Multiaddr>> LoadAsync(ParseResult parse, bool readFile, CancellationToken cancellationToken)
    {
        var peers = new List<Multiaddr>();
        foreach (string entry in parse.GetValue(_bootstrap) ?? [])
        {
            peers.Add(CliExit.Parse("--bootstrap", () => BootstrapPeers.ParseEntry(entry)));
        }
        if (readFile)
        {
            try
            {
                peers.AddRange(await BootstrapPeers.LoadAsync(parse.GetValue(_bootstrapFile)!, cancellationToken));
            }
            catch (FormatException e)
            {
                throw new UsageException("--bootstrap-file: " + e.Message);
            }
        }
        return peers;
    }
}
