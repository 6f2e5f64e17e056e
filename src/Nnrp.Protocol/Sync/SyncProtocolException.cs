using Nnrp.Libp2p;

namespace Nnrp.Protocol.Sync;

/// <summary>A sync peer broke a rule of NNRP.md §11.8 (malformed range, out-of-bounds answer, no progress).</summary>
public sealed class SyncProtocolException : ProtocolViolationException
{
    public SyncProtocolException(string message) : base(message) { }

    public SyncProtocolException(string message, Exception inner) : base(message, inner) { }
}
