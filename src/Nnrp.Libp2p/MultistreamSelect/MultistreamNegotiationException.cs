namespace Nnrp.Libp2p.MultistreamSelect;

/// <summary>Negotiation failed: the peer broke the protocol or no protocol was agreed.</summary>
public class MultistreamNegotiationException : ProtocolViolationException
{
    public MultistreamNegotiationException(string message) : base(message) { }
}

/// <summary>The peer answered <c>na</c> to every protocol we proposed.</summary>
public sealed class NoProtocolAgreedException(IReadOnlyList<string> proposed)
    : MultistreamNegotiationException($"the peer supports none of: {string.Join(", ", proposed)}")
{
    public IReadOnlyList<string> Proposed { get; } = proposed;
}
