using System.Buffers;
using System.IO.Pipelines;
using Nnrp.Libp2p.MultistreamSelect;
using Nnrp.Libp2p.Tests.Testing;
using MSS = Nnrp.Libp2p.MultistreamSelect.MultistreamSelect;

namespace Nnrp.Libp2p.Tests.MultistreamSelect;

/// <summary>connections/README.md "Protocol Negotiation": header, proposals, echo or na.</summary>
public class MultistreamSelectTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_first_supported_proposal_is_agreed_by_both_sides()
    {
        var pair = new DuplexPipePair();
        var responder = MSS.AcceptAsync(pair.B, p => p == "/yamux/1.0.0", CancellationToken.None);
        string chosen = await MSS.SelectAsync(pair.A, ["/mplex/6.7.0", "/yamux/1.0.0"], CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal("/yamux/1.0.0", chosen);
        Assert.Equal("/yamux/1.0.0", await responder.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Initiator_pipelines_its_header_with_the_first_proposal_in_exact_wire_bytes()
    {
        var pair = new DuplexPipePair();
        var select = MSS.SelectAsync(pair.A, ["/noise"], CancellationToken.None);
        byte[] expected = [.. Frame("/multistream/1.0.0\n"), .. Frame("/noise\n")];
        byte[] seen = await ReadExactly(pair.B.Input, expected.Length);
        Assert.Equal(expected, seen);
        await pair.B.Output.WriteAsync(expected);
        Assert.Equal("/noise", await select.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_peer_that_supports_nothing_we_propose_ends_in_NoProtocolAgreed()
    {
        var pair = new DuplexPipePair();
        var responder = MSS.AcceptAsync(pair.B, _ => false, CancellationToken.None);
        var error = await Assert.ThrowsAsync<NoProtocolAgreedException>(
            () => MSS.SelectAsync(pair.A, ["/a", "/b", "/c"], CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal(["/a", "/b", "/c"], error.Proposed);
        pair.A.Output.Complete();
        await Assert.ThrowsAsync<MultistreamNegotiationException>(() => responder.WaitAsync(Timeout));
    }

    [Fact]
    public async Task An_ls_request_is_answered_with_na_and_negotiation_continues()
    {
        var pair = new DuplexPipePair();
        var responder = MSS.AcceptAsync(pair.B, p => p == "/x", CancellationToken.None);
        Assert.Equal("/x", await MSS.SelectAsync(pair.A, ["ls", "/x"], CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal("/x", await responder.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_wrong_header_is_refused()
    {
        var pair = new DuplexPipePair();
        var responder = MSS.AcceptAsync(pair.B, _ => true, CancellationToken.None);
        await pair.A.Output.WriteAsync(Frame("/multistream/2.0.0\n"));
        await Assert.ThrowsAsync<MultistreamNegotiationException>(() => responder.WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_message_without_a_trailing_newline_is_refused()
    {
        var pair = new DuplexPipePair();
        var responder = MSS.AcceptAsync(pair.B, _ => true, CancellationToken.None);
        await pair.A.Output.WriteAsync(Frame("/multistream/1.0.0"));
        await Assert.ThrowsAsync<MultistreamNegotiationException>(() => responder.WaitAsync(Timeout));
    }

    [Fact]
    public async Task An_oversized_length_prefix_is_refused_before_the_body_is_buffered()
    {
        var pair = new DuplexPipePair();
        var responder = MSS.AcceptAsync(pair.B, _ => true, CancellationToken.None);
        await pair.A.Output.WriteAsync(new byte[] { 0xff, 0xff, 0x03 }); // 65535
        var error = await Assert.ThrowsAnyAsync<ProtocolViolationException>(() => responder.WaitAsync(Timeout));
        Assert.Contains("exceeds the limit", error.Message);
    }

    [Fact]
    public async Task A_stream_closed_mid_message_is_a_clear_error()
    {
        var pair = new DuplexPipePair();
        var responder = MSS.AcceptAsync(pair.B, _ => true, CancellationToken.None);
        await pair.A.Output.WriteAsync(Frame("/multistream/1.0.0\n").AsMemory(0, 5));
        await pair.A.Output.CompleteAsync();
        await Assert.ThrowsAnyAsync<ProtocolViolationException>(() => responder.WaitAsync(Timeout));
    }

    [Fact]
    public async Task Endless_proposals_are_cut_off()
    {
        var pair = new DuplexPipePair(pauseWriterThreshold: 0);
        var responder = MSS.AcceptAsync(pair.B, _ => false, CancellationToken.None);
        var drain = Task.Run(async () =>
        {
            while (true)
            {
                ReadResult read = await pair.A.Input.ReadAsync();
                pair.A.Input.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted)
                {
                    return;
                }
            }
        });
        pair.A.Output.Write(Frame("/multistream/1.0.0\n"));
        for (int i = 0; i <= MSS.MaxProposals; i++)
        {
            pair.A.Output.Write(Frame($"/p/{i}\n"));
        }
        await pair.A.Output.FlushAsync();
        var error = await Assert.ThrowsAsync<MultistreamNegotiationException>(() => responder.WaitAsync(Timeout));
        Assert.Contains("proposals", error.Message);
    }

    [Fact]
    public async Task Random_bytes_end_in_a_protocol_error_never_a_hang_or_crash()
    {
        var random = new Random(1234);
        for (int round = 0; round < 200; round++)
        {
            var pair = new DuplexPipePair(pauseWriterThreshold: 0);
            var responder = MSS.AcceptAsync(pair.B, _ => false, CancellationToken.None);
            byte[] garbage = new byte[random.Next(1, 300)];
            random.NextBytes(garbage);
            await pair.A.Output.WriteAsync(garbage);
            await pair.A.Output.CompleteAsync();
            await Assert.ThrowsAnyAsync<ProtocolViolationException>(() => responder.WaitAsync(Timeout));
        }
    }

    private static byte[] Frame(string text)
    {
        byte[] body = System.Text.Encoding.UTF8.GetBytes(text);
        return [(byte)body.Length, .. body];
    }

    private static async Task<byte[]> ReadExactly(PipeReader reader, int count)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            if (result.Buffer.Length >= count)
            {
                byte[] bytes = result.Buffer.Slice(0, count).ToArray();
                reader.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
