using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nnrp.Node;
using Nnrp.Node.Metrics;

namespace Nnrp.Cli.Hosting;

/// <summary>
/// The first hosted service: starts the node's composition root (<see cref="NnrpNode.StartAsync"/>)
/// and, stopped last, disposes it — every part in reverse, the store flushed and closed.
/// </summary>
internal sealed class NodeService(NnrpNodeOptions options, ILoggerFactory loggerFactory, TimeProvider time) : IHostedService
{
    private NnrpNode? _node;

    /// <summary>The running node; the doors started after this service use it.</summary>
    public NnrpNode Node => _node ?? throw new InvalidOperationException("the node has not started");

    /// <exception cref="Nnrp.Node.Storage.StoreUnavailableException">the store cannot be opened.</exception>
    /// <exception cref="IOException">the node cannot listen.</exception>
    /// <summary>The node's instruments (System.Diagnostics.Metrics), registered as soon as it runs; the HTTP door records latency in them.</summary>
    public NnrpMeters Meters => _meters ?? throw new InvalidOperationException("the node has not started");

    private NnrpMeters? _meters;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _node = await NnrpNode.StartAsync(options, loggerFactory, time, cancellationToken);
        _meters = NnrpMeters.Register(_node, _node.Host, _node.Gossip, _node.Kad, _node.Sync.Metrics);
    }

    /// <summary>
    /// Disposes the node whatever the host's shutdown timeout says: an acknowledged
    /// notification must reach the disk, however long the store takes to flush.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _meters?.Dispose();
        _meters = null;
        if (_node is { } node)
        {
            _node = null;
            await node.DisposeAsync();
        }
    }
}
