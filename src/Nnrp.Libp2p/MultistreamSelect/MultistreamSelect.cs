using System.IO.Pipelines;

namespace Nnrp.Libp2p.MultistreamSelect;

/// <summary>
/// multistream-select 1.0 (libp2p/specs connections/README.md; multiformats/multistream-select).
/// Used for the security protocol, the muxer and every stream. Both sides send the header
/// first; the initiator then proposes protocols one at a time and the responder echoes the
/// one it accepts or answers <c>na</c>. The initiator pipelines its header with its first
/// proposal (one round trip in the common case), as js-libp2p and go-libp2p do; "ls" is
/// answered with <c>na</c> like any unknown protocol (optional in the spec).
/// </summary>
public static class MultistreamSelect
{
    public const string ProtocolId = "/multistream/1.0.0";

    public const string NotAvailable = "na";

    /// <summary>
    /// The most proposals a responder hears before giving up on the peer (rust-libp2p's
    /// multistream-select bounds the same loop); stops an initiator from keeping a stream
    /// busy forever with rejected proposals.
    /// </summary>
    public const int MaxProposals = 1000;

    /// <summary>Initiator: proposes <paramref name="protocols"/> in order; returns the agreed one.</summary>
    public static async Task<string> SelectAsync(IDuplexPipe pipe, IReadOnlyList<string> protocols, CancellationToken cancellationToken)
    {
        if (protocols.Count == 0)
        {
            throw new ArgumentException("at least one protocol must be proposed", nameof(protocols));
        }
        MultistreamMessage.Write(pipe.Output, ProtocolId);
        MultistreamMessage.Write(pipe.Output, protocols[0]);
        await MultistreamMessage.FlushAsync(pipe.Output, cancellationToken);

        string header = await MultistreamMessage.ReadAsync(pipe.Input, cancellationToken);
        if (header != ProtocolId)
        {
            throw new MultistreamNegotiationException($"expected header {ProtocolId}, got '{Printable(header)}'");
        }
        for (int i = 0; i < protocols.Count; i++)
        {
            if (i > 0)
            {
                MultistreamMessage.Write(pipe.Output, protocols[i]);
                await MultistreamMessage.FlushAsync(pipe.Output, cancellationToken);
            }
            string answer = await MultistreamMessage.ReadAsync(pipe.Input, cancellationToken);
            if (answer == protocols[i])
            {
                return answer;
            }
            if (answer != NotAvailable)
            {
                throw new MultistreamNegotiationException(
                    $"proposed '{protocols[i]}', the peer answered '{Printable(answer)}'");
            }
        }
        throw new NoProtocolAgreedException(protocols);
    }

    /// <summary>Responder: answers proposals until one is supported; returns it.</summary>
    public static async Task<string> AcceptAsync(IDuplexPipe pipe, Func<string, bool> isSupported, CancellationToken cancellationToken)
    {
        MultistreamMessage.Write(pipe.Output, ProtocolId);
        await MultistreamMessage.FlushAsync(pipe.Output, cancellationToken);

        string header = await MultistreamMessage.ReadAsync(pipe.Input, cancellationToken);
        if (header != ProtocolId)
        {
            throw new MultistreamNegotiationException($"expected header {ProtocolId}, got '{Printable(header)}'");
        }
        for (int i = 0; i < MaxProposals; i++)
        {
            string proposal = await MultistreamMessage.ReadAsync(pipe.Input, cancellationToken);
            if (proposal != NotAvailable && proposal != ProtocolId && isSupported(proposal))
            {
                MultistreamMessage.Write(pipe.Output, proposal);
                await MultistreamMessage.FlushAsync(pipe.Output, cancellationToken);
                return proposal;
            }
            MultistreamMessage.Write(pipe.Output, NotAvailable);
            await MultistreamMessage.FlushAsync(pipe.Output, cancellationToken);
        }
        throw new MultistreamNegotiationException($"the peer made more than {MaxProposals} proposals");
    }

    private static string Printable(string text) =>
        text.Length <= 64 && !text.Any(char.IsControl) ? text : "<unprintable or long message>";
}
