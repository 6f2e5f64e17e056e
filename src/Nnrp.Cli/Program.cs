using System.CommandLine;
using Nnrp.Cli;
using Nnrp.Cli.Bundle;
using Nnrp.Cli.Commands;

// Before anything else runs (it changes the working directory for a moment): a single-file
// build finds RocksDB's native library in its extraction folder.
RocksDbNativeProbe.LoadFromBundle();

var root = new RootCommand("NNRP — the NanoNym Relay Protocol node and tools");
root.Subcommands.Add(NodeCommand.Create());
root.Subcommands.Add(KeygenCommand.Create());
root.Subcommands.Add(KeyCommand.Create());
root.Subcommands.Add(AddressCommand.Create());
root.Subcommands.Add(WorkCommand.Create());
root.Subcommands.Add(SendCommand.Create());
root.Subcommands.Add(FetchCommand.Create());
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(IdCommand.Create());
root.Subcommands.Add(CrawlCommand.Create());
// Commands that run until stopped (node) handle SIGINT/SIGTERM themselves and shut down
// gracefully, however long the store takes to flush; System.CommandLine's own handler would
// kill the process after a fixed timeout.
return await CliExit.InvokeAsync(root.Parse(args), new InvocationConfiguration { ProcessTerminationTimeout = null });
