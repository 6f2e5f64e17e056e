using System.CommandLine;
using Nnrp.Client.Keys;

namespace Nnrp.Cli.Commands;

/// <summary>
/// <c>nnrp key from-seed</c>: the notification key of a wallet seed and NanoNym index
/// (NNRP.md §9), so a restored wallet reads the same mailbox. The seed is read from
/// <c>--seed</c>, from stdin with <c>--seed -</c>, or from <c>NNRP_SEED</c> (keeps it out of
/// the process list); it is never written anywhere.
/// </summary>
internal static class KeyCommand
{
    public static Command Create()
    {
        var seed = new Option<string?>("--seed") { Description = "Wallet seed in hex (16–64 bytes), or - to read it from stdin (default: env NNRP_SEED)" };
        var index = new Option<uint>("--index") { Description = "NanoNym index", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o") { Description = "Key file to create (mode 0600)", DefaultValueFactory = _ => KeygenCommand.DefaultKeyFile };
        var force = new Option<bool>("--force") { Description = "Replace an existing key file" };
        var json = KeyOutput.JsonOption();
        var relay = KeyOutput.RelayOption();
        var fromSeed = new Command("from-seed", "Derive the notification key of a seed and index (NNRP.md §9)") { seed, index, output, force, json, relay };
        fromSeed.SetAction((parse, ct) => CliExit.RunAsync(async () =>
        {
            string? text = parse.GetValue(seed) ?? Environment.GetEnvironmentVariable("NNRP_SEED");
            if (text == "-")
            {
                text = await Console.In.ReadLineAsync(ct);
            }
            if (string.IsNullOrWhiteSpace(text))
            {
                return CliExit.UsageError("no seed: pass --seed <hex>, --seed - (stdin) or set NNRP_SEED");
            }
            uint i = parse.GetValue(index);
            var key = CliExit.Parse("--seed", () => WalletKeys.FromSeed(text, i));
            string[] relays = CliExit.Parse("--relay", () => KeyOutput.Relays(parse.GetValue(relay)));
            return await KeyOutput.SaveAndShowAsync(new NotificationKeyFile(key, i), parse.GetValue(output)!, parse.GetValue(force), parse.GetValue(json), ct, relays);
        }));
        return new Command("key", "Notification key tools") { fromSeed };
    }
}
