using System.CommandLine;
using Nnrp.Cli;

var root = new RootCommand("NNRP — the NanoNym Relay Protocol node and tools");
root.Subcommands.Add(NodeCommand.Create());
// Commands that run until stopped (node) handle SIGINT/SIGTERM themselves and shut down
// gracefully, however long the store takes to flush; System.CommandLine's own handler would
// kill the process after a fixed timeout.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
