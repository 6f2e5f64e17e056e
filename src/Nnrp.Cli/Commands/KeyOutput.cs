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

    public static async Task<int> SaveAndShowAsync(NotificationKeyFile file, string path, bool force, bool json, CancellationToken cancellationToken)
    {
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
                writer.WriteString("uri", file.Uri);
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
            .Add("uri", file.Uri)
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
