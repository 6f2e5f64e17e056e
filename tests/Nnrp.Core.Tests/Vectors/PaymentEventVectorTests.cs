using Nnrp.Core.Sealing;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>payment_events.json (NNRP.md §7.1): what a reader accepts and what it refuses.</summary>
public sealed class PaymentEventVectorTests
{
    private static readonly VectorFile File = VectorFile.Load("payment_events");

    [Fact]
    public void Valid_events_parse_to_the_published_fields()
    {
        foreach (Vector v in File.Vectors().Where(v => v.Flag("valid")))
        {
            PaymentEvent e = PaymentEvent.Parse(v.Bytes("plaintext"));
            Expect.Equal(v.Text("r"), e.R, v, "r");
            Expect.Equal(v.Text("tx_hash"), e.TxHash, v, "tx_hash");
            Expect.Equal(v.Has("amount_raw") ? v.Text("amount_raw") : null, e.AmountRaw, v, "amount_raw");
            Expect.Equal(v.Has("memo") ? v.Text("memo") : null, e.Memo, v, "memo");
        }
    }

    [Fact]
    public void Invalid_events_are_refused_with_a_format_error()
    {
        foreach (Vector v in File.Vectors().Where(v => !v.Flag("valid")))
        {
            try
            {
                PaymentEvent e = PaymentEvent.Parse(v.Bytes("plaintext"));
                throw new Xunit.Sdk.XunitException($"\"{v.Description}\" was accepted as {e}");
            }
            catch (NnrpFormatException)
            {
                // refused, as §7.1 says
            }
        }
    }
}
