using System.CommandLine;
using Nnrp.Client.Keys;
using Nnrp.Core.Codecs;

namespace Nnrp.Cli.Commands;

/// <summary>Shared by keygen and key from-seed: write the key file, then print what to publish.</summary>
internal static class KeyOutput
{
    /// <summary>The <c>--json</c> option of keygen and key from-seed.</summary>
    public static Option<bool> JsonOption() =>
        new("--json") { Description = "One JSON object: key_file, uri, public_key, recipient_tag, seed_index" };

    /// <summary>The <c>--relay</c> option of keygen, key from-seed and address: relay hints for the printed URI.</summary>
    public static Option<string[]> RelayOption() => new("--relay")
    {
        Description = "Relay hint for the URI (NNRP.md §10.3): a node's multiaddr (/dns4/node.example.org/tcp/443/tls/http, …/tls/ws/p2p/<id>) or HTTP API URL (https://node.example.org, written as its multiaddr); repeatable",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>
    /// The relay hints as a URI carries them: multiaddrs as given, an http(s) URL as its
    /// multiaddr (<c>https://node.example.org</c> → <c>/dns4/node.example.org/tcp/443/tls/http</c>),
    /// so browser and CLI wallets read one form.
    /// </summary>
    /// <exception cref="FormatException">a hint is neither.</exception>
    public static string[] Relays(IEnumerable<string>? hints) =>
        [.. (hints ?? []).Select(h => h.StartsWith('/') ? h : Nnrp.Protocol.Doors.HttpDoorAddress.Parse(h).ToString())];

    public static async Task<int> SaveAndShowAsync(NotificationKeyFile file, string path, bool force, bool json, CancellationToken cancellationToken, IReadOnlyList<string>? relays = null)
    {
        // The key file keeps the bare URI; the printed one carries the relay hints to publish
        // (checked before anything is written: at most 8, each a multiaddr, §10.3).
        string uri = CliExit.Parse("--relay", () => new NotificationUri(file.Key.PublicKey, relays ?? []).ToString());
        if (!force && File.Exists(path))
        {
            return CliExit.UsageError($"{path} exists; pass --force to replace it (the old key's mailbox would be lost)");
        }
        await file.SaveAsync(path, overwrite: force, cancellationToken);
        string fullPath = Path.GetFullPath(path), publicKey = Hex.Encode(file.Key.PublicKey), tag = file.Key.Tag.ToString();
        if (json)
        {
            JsonOutput.Write(writer =>
            {
                writer.WriteString("key_file", fullPath);
                writer.WriteString("uri", uri);
                writer.WriteString("public_key", publicKey);
                writer.WriteString("recipient_tag", tag);
                // Always present (null for a random key), so scripts read one shape.
                if (file.SeedIndex is { } seedIndex)
                {
                    writer.WriteNumber("seed_index", seedIndex);
                }
                else
                {
                    writer.WriteNull("seed_index");
                }
            });
            return CliExit.Ok;
        }
        var fields = new Fields()
            .Add("key_file", fullPath)
            .Add("uri", uri)
            .Add("public_key", publicKey)
            .Add("recipient_tag", tag);
        if (file.SeedIndex is { } index)
        {
            fields.Add("seed_index", index);
        }
        fields.Write();
        return CliExit.Ok;
    }
}
