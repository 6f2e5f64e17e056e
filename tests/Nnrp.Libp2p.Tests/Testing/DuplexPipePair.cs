using System.IO.Pipelines;

namespace Nnrp.Libp2p.Tests.Testing;

/// <summary>
/// Two ends of an in-memory connection (Kestrel's <c>DuplexPipe.CreateConnectionPair</c>):
/// what one end writes, the other reads. Pause thresholds are small by default so tests see
/// backpressure the way a TCP socket would apply it.
/// </summary>
public sealed class DuplexPipePair
{
    public DuplexPipePair(long pauseWriterThreshold = 64 * 1024)
    {
        var options = new PipeOptions(
            pauseWriterThreshold: pauseWriterThreshold,
            resumeWriterThreshold: pauseWriterThreshold / 2,
            useSynchronizationContext: false);
        var aToB = new Pipe(options);
        var bToA = new Pipe(options);
        A = new End(bToA.Reader, aToB.Writer);
        B = new End(aToB.Reader, bToA.Writer);
    }

    public IDuplexPipe A { get; }

    public IDuplexPipe B { get; }

    private sealed class End(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
