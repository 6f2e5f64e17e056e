using System.CommandLine;
using Nnrp.Client.Keys;

namespace Nnrp.Cli.Commands;

/// <summary><c>nnrp keygen</c>: a new random notification key in a 0600 JSON key file.</summary>
internal static class KeygenCommand
{
    public const string DefaultKeyFile = "nnrp-key.json";

    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "Key file to create (mode 0600)", DefaultValueFactory = _ => DefaultKeyFile };
        var force = new Option<bool>("--force") { Description = "Replace an existing key file" };
        var json = KeyOutput.JsonOption();
        var relay = KeyOutput.RelayOption();
        var command = new Command("keygen", "Create a new random notification key") { output, force, json, relay };
        command.SetAction((parse, ct) => CliExit.RunAsync(() =>
            KeyOutput.SaveAndShowAsync(new NotificationKeyFile(WalletKeys.Generate()), parse.GetValue(output)!, parse.GetValue(force), parse.GetValue(json), ct,
                CliExit.Parse("--relay", () => KeyOutput.Relays(parse.GetValue(relay))))));
        return command;
    }
}
