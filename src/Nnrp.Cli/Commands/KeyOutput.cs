using Nnrp.Client.Keys;
using Nnrp.Core.Codecs;

namespace Nnrp.Cli.Commands;

/// <summary>Shared by keygen and key from-seed: write the key file, then print what to publish.</summary>
internal static class KeyOutput
{
    public static async Task<int> SaveAndShowAsync(NotificationKeyFile file, string path, bool force, CancellationToken cancellationToken)
    {
        if (!force && File.Exists(path))
        {
            return CliExit.UsageError($"{path} exists; pass --force to replace it (the old key's mailbox would be lost)");
        }
        await file.SaveAsync(path, overwrite: force, cancellationToken);
        var fields = new Fields()
            .Add("key_file", Path.GetFullPath(path))
            .Add("uri", file.Uri)
            .Add("public_key", Hex.Encode(file.Key.PublicKey))
            .Add("recipient_tag", file.Key.Tag.ToString());
        if (file.SeedIndex is { } index)
        {
            fields.Add("seed_index", index);
        }
        fields.Write();
        return CliExit.Ok;
    }
}
