using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Nnrp.Core.Sealing;

/// <summary>
/// A NanoNym payment event (NanoNymNault RFC 0002), the plaintext of every NNRP payload:
/// <code>
/// {"version": 2, "protocol": "nanonym", "R": "&lt;64 lowercase hex&gt;",
///  "tx_hash": "&lt;64 lowercase hex&gt;", "amount_raw": "&lt;decimal&gt;", "memo": "&lt;text&gt;"}
/// </code>
/// version, protocol, R and tx_hash are required; amount_raw (decimal, no leading zeros
/// except "0") and memo are optional; unknown fields are ignored (RFC 0002 rules 1–8).
/// Checking that R is a valid Ed25519 point belongs to the wallet's stealth code.
/// </summary>
public sealed record PaymentEvent
{
    /// <summary>RFC 0002 rule 1.</summary>
    public const int SchemaVersion = 2;

    /// <summary>RFC 0002 rule 2.</summary>
    public const string Protocol = "nanonym";

    /// <summary>Plaintext bytes that fit a 2048-byte payload: 2048 − enc 32 − tag 16.</summary>
    public const int MaxJsonSize = 2000;

    /// <summary>An event; hex fields must be 64 lowercase hex digits.</summary>
    public PaymentEvent(string r, string txHash, string? amountRaw = null, string? memo = null)
    {
        CheckHex(r, "R");
        CheckHex(txHash, "tx_hash");
        if (amountRaw is not null)
        {
            CheckAmount(amountRaw);
        }
        R = r;
        TxHash = txHash;
        AmountRaw = amountRaw;
        Memo = memo;
    }

    /// <summary>The ephemeral Ed25519 public key R (64 lowercase hex).</summary>
    public string R { get; }

    /// <summary>Hash of the on-chain send block (64 lowercase hex).</summary>
    public string TxHash { get; }

    /// <summary>Amount in raw, decimal; null when not given.</summary>
    public string? AmountRaw { get; }

    /// <summary>Free text; null when not given.</summary>
    public string? Memo { get; }

    /// <summary>UTF-8 JSON of the event.</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", SchemaVersion);
            writer.WriteString("protocol", Protocol);
            writer.WriteString(nameof(R), R);
            writer.WriteString("tx_hash", TxHash);
            if (AmountRaw is not null)
            {
                writer.WriteString("amount_raw", AmountRaw);
            }
            if (Memo is not null)
            {
                writer.WriteString("memo", Memo);
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses and validates UTF-8 JSON.</summary>
    /// <exception cref="NnrpFormatException">a rule of RFC 0002 is broken.</exception>
    public static PaymentEvent Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Length > MaxJsonSize)
        {
            throw new NnrpFormatException($"a payment event is at most {MaxJsonSize} bytes");
        }
        if (!System.Text.Unicode.Utf8.IsValid(utf8Json))
        {
            // §7.1: the whole plaintext is UTF-8, unknown fields included (the JSON reader only
            // checks the strings it is asked for).
            throw new NnrpFormatException("a payment event is UTF-8");
        }
        try
        {
            return Read(utf8Json);
        }
        catch (JsonException e)
        {
            throw new NnrpFormatException("a payment event is a JSON object: " + e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString on a non-string token, or invalid UTF-8 in a string.
            throw new NnrpFormatException("a payment event field has the wrong type: " + e.Message, e);
        }
    }

    private static PaymentEvent Read(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new NnrpFormatException("a payment event is a JSON object");
        }
        double? version = null;
        string? protocol = null, r = null, txHash = null, amount = null, memo = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "version":
                    // §7.1: a JSON number whose binary64 value is 2 (2, 2.0 and 2e0 alike), as a
                    // JSON.parse reader sees it; a string or any other value is refused below.
                    version = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double v) ? v
                        : throw new NnrpFormatException("version is a number");
                    break;
                case "protocol":
                    protocol = String(ref reader, name);
                    break;
                case "R":
                    r = String(ref reader, name);
                    break;
                case "tx_hash":
                    txHash = String(ref reader, name);
                    break;
                case "amount_raw":
                    amount = String(ref reader, name);
                    break;
                case "memo":
                    memo = String(ref reader, name);
                    break;
                default:
                    reader.Skip(); // RFC 0002 rule 8: unknown fields are ignored
                    break;
            }
        }
        if (reader.Read())
        {
            // §7.1: the plaintext is one JSON object; only whitespace may follow it (a JSON
            // parser such as JavaScript's JSON.parse refuses anything else, so every reader agrees).
            throw new NnrpFormatException("a payment event is one JSON object with nothing after it");
        }
        if (version is null || protocol is null || r is null || txHash is null)
        {
            throw new NnrpFormatException("a payment event needs version, protocol, R and tx_hash (RFC 0002 rule 7)");
        }
        if (version != SchemaVersion)
        {
            throw new NnrpFormatException($"payment event version must be {SchemaVersion}, not {version}");
        }
        if (protocol != Protocol)
        {
            throw new NnrpFormatException($"payment event protocol must be \"{Protocol}\"");
        }
        return new PaymentEvent(r, txHash, amount, memo);
    }

    private static string String(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new NnrpFormatException($"{name} is a string");

    private static void CheckHex(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (value.Length != 64 || !value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
        {
            throw new NnrpFormatException($"{name} must be 64 lowercase hex digits");
        }
    }

    private static void CheckAmount(string value)
    {
        bool digits = value.Length > 0 && value.All(char.IsAsciiDigit);
        if (!digits || (value.Length > 1 && value[0] == '0'))
        {
            throw new NnrpFormatException("amount_raw must be a decimal with no leading zeros");
        }
        // Nano's supply fits in u128: 39 digits at most.
        if (value.Length > 39 || !UInt128.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw new NnrpFormatException("amount_raw must fit in 128 bits");
        }
    }
}
