using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Cli.Commands;

/// <summary>
/// <c>nnrp id</c>: the peer id of a node's <c>node.key</c> and the <c>/p2p/</c> addresses it
/// would advertise (libp2p, then the HTTP API's <c>--http-announce</c> addresses), read offline: nothing listens, nothing is dialed, and no key is created
/// when the data folder has none (exit 1: the node creates its key on first start). The data
/// folder, listen and announce addresses resolve as for <c>nnrp node</c> (flag, then
/// <c>NNRP_*</c>, then <c>--config</c>, then the default); a listen port 0 prints as 0
/// because the port is only chosen when the node binds it.
/// </summary>
internal static class IdCommand
{
    public const string NodeKeyFile = "node.key";

    public static Command Create()
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "The node's data folder, holding node.key (as for nnrp node; env NNRP_DATA_DIR; default ./data)" };
        var listen = new Option<string[]>("--listen") { Description = "Listen multiaddr, as for nnrp node; repeatable", Arity = ArgumentArity.OneOrMore };
        var announce = new Option<string[]>("--announce") { Description = "Announce multiaddr, as for nnrp node; repeatable", Arity = ArgumentArity.OneOrMore };
        var httpAnnounce = new Option<string[]>("--http-announce") { Description = "Public URL or multiaddr of the HTTP API, as for nnrp node; repeatable", Arity = ArgumentArity.OneOrMore };
        var config = new Option<string?>("--config") { Description = "The node's JSON config file (env NNRP_CONFIG)" };
        var json = new Option<bool>("--json") { Description = "One JSON object: peer_id, key_file, addresses" };
        var command = new Command("id", "Print a node's peer id and the addresses it would advertise, offline") { dataDir, listen, announce, httpAnnounce, config, json };
        command.SetAction((parse, ct) => CliExit.RunAsync(() =>
        {
            NodeSettings settings;
            try
            {
                // The same layers as nnrp node (flag > NNRP_* > --config file > default).
                var given = new List<KeyValuePair<string, string?>>();
                if (parse.GetValue(dataDir) is { } d)
                {
                    given.Add(KeyValuePair.Create("data_dir", (string?)d));
                }
                foreach ((string key, string[]? values) in new[] { ("listen", parse.GetValue(listen)), ("announce", parse.GetValue(announce)), ("http_announce", parse.GetValue(httpAnnounce)) })
                {
                    for (int i = 0; values is not null && i < values.Length; i++)
                    {
                        given.Add(KeyValuePair.Create(key + ":" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), (string?)values[i]));
                    }
                }
                IConfigurationSource environment = NodeConfiguration.ProcessEnvironment();
                settings = NodeSettings.Bind(NodeConfiguration.Build(given, environment, parse.GetValue(config) ?? NodeConfiguration.ConfigPathIn(environment)));
            }
            catch (FormatException e)
            {
                return Task.FromResult(CliExit.UsageError(e.Message));
            }
            Multiaddr[] listenAddresses = CliExit.Parse("--listen", () => settings.Listen.Select(Multiaddr.Parse).ToArray());
            Multiaddr[] announceAddresses = CliExit.Parse("--announce", () => settings.Announce.Select(Multiaddr.Parse).ToArray());
            string keyPath = Path.Combine(settings.DataDir, NodeKeyFile);
            if (!File.Exists(keyPath))
            {
                return Task.FromResult(CliExit.Failure($"no {keyPath}: the node creates its key on its first start (nnrp node --data-dir {settings.DataDir})"));
            }
            PeerId peer;
            using (KeyPair identity = KeyPair.Load(keyPath))
            {
                peer = identity.PeerId;
            }
            // The HTTP API's public addresses (--http-announce) follow the libp2p ones, as the running node advertises them (NNRP.md §12).
            string[] addresses = Libp2pHost.AdvertisedAddresses(listenAddresses, announceAddresses)
                .Concat(settings.HttpAnnounce.Select(Multiaddr.Parse))
                .Select(a => a.WithPeerIdMultihash(peer.Bytes.Span).ToString())
                .ToArray();
            if (parse.GetValue(json))
            {
                JsonOutput.Write(writer =>
                {
                    writer.WriteString("peer_id", peer.ToString());
                    writer.WriteString("key_file", keyPath);
                    JsonOutput.WriteStrings(writer, "addresses", addresses);
                });
            }
            else
            {
                var fields = new Fields().Add("peer_id", peer.ToString()).Add("key_file", keyPath);
                foreach (string address in addresses)
                {
                    fields.Add("address", address);
                }
                fields.Write();
            }
            return Task.FromResult(CliExit.Ok);
        }));
        return command;
    }
}
