using System.CommandLine;
using Nnrp.Cli;

var root = new RootCommand("NNRP — the NanoNym Relay Protocol node and tools");
root.Subcommands.Add(NodeCommand.Create());
return await root.Parse(args).InvokeAsync();
