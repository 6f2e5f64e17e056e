using System.CommandLine;
using Nnrp.Client.Keys;
using Nnrp.Client.Recipients;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;

namespace Nnrp.Cli.Commands;

/// <summary>
/// <c>nnrp address</c>: decode an <c>nnym_</c> or <c>nnrp:</c> string, or build the URI (and,
/// with the spend and view keys, the NanoNym v2 address) of a key file.
/// </summary>
internal static class AddressCommand
{
    public static Command Create()
    {
        var text = new Argument<string?>("address") { Description = "An nnym_ address or an nnrp: URI to decode", Arity = ArgumentArity.ZeroOrOne };
        var key = new Option<string?>("--key") { Description = "Key file whose URI (and NanoNym) to print" };
        var relay = KeyOutput.RelayOption();
        var spend = new Option<string?>("--spend") { Description = "B_spend (64 hex) for the NanoNym address" };
        var view = new Option<string?>("--view") { Description = "B_view (64 hex) for the NanoNym address" };
        var command = new Command("address", "Show or decode an nnym_ address or nnrp: URI") { text, key, relay, spend, view };
        command.SetAction((parse, ct) => CliExit.RunAsync(async () =>
        {
            string? address = parse.GetValue(text);
            string? keyPath = parse.GetValue(key);
            if ((address is null) == (keyPath is null))
            {
                return CliExit.UsageError("give either an address to decode or --key <file>");
            }
            if (address is not null)
            {
                Show(CliExit.Parse("address", () => Recipient.Parse(address)));
                return CliExit.Ok;
            }
            NotificationKeyFile file = await NotificationKeyFile.LoadAsync(keyPath!, ct);
            var uri = CliExit.Parse("--relay", () => new NotificationUri(file.Key.PublicKey, KeyOutput.Relays(parse.GetValue(relay))));
            string? spendHex = parse.GetValue(spend), viewHex = parse.GetValue(view);
            if ((spendHex is null) != (viewHex is null))
            {
                return CliExit.UsageError("--spend and --view go together");
            }
            if (spendHex is null)
            {
                Console.WriteLine(uri.ToString());
                return CliExit.Ok;
            }
            var nanoNym = CliExit.Parse("--spend/--view", () => new NanoNymAddress(
                Hex.Decode(spendHex, 32, "B_spend"), Hex.Decode(viewHex!, 32, "B_view"), uri.ToString()));
            Console.WriteLine(nanoNym.Encode());
            return CliExit.Ok;
        }));
        return command;
    }

    private static void Show(Recipient recipient)
    {
        var fields = new Fields();
        if (recipient.Address is { } address)
        {
            fields.Add("kind", "nanonym-v2")
                .Add("spend_key", Hex.Encode(address.SpendPublicKey.Span))
                .Add("view_key", Hex.Encode(address.ViewPublicKey.Span));
        }
        else
        {
            fields.Add("kind", "nnrp-uri");
        }
        fields.Add("uri", recipient.Uri.ToString())
            .Add("notification_key", Hex.Encode(recipient.NotificationKey))
            .Add("recipient_tag", recipient.Tag.ToString())
            .Add("shard_8", Shards.IndexOf(recipient.Tag, 8));
        foreach (string hint in recipient.RelayHints)
        {
            fields.Add("relay", hint);
        }
        fields.Write();
    }
}
