using System.Text.Json;
using Nnrp.Core.Codecs;
using Nnrp.Core.Protocol;

namespace Nnrp.Http.Endpoints;

/// <summary>
/// A store receipt in JSON (NNRP.md §12): <c>{"hash", "expires_at", "node_public_key",
/// "signature"}</c>, byte fields as lowercase hex — the protobuf StoreReceipt field for field.
/// </summary>
internal static class ReceiptJson
{
    public static void Write(Utf8JsonWriter json, StoreReceipt receipt)
    {
        json.WriteStartObject();
        json.WriteString("hash", Hex.Encode(receipt.Hash.Span));
        json.WriteNumber("expires_at", receipt.ExpiresAt);
        json.WriteString("node_public_key", Hex.Encode(receipt.NodePublicKey.Span));
        json.WriteString("signature", Hex.Encode(receipt.Signature.Span));
        json.WriteEndObject();
    }
}
