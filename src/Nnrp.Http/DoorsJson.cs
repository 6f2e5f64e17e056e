using System.Text.Json.Serialization;
using Nnrp.Http.Peers;
using Nnrp.Http.Status;

namespace Nnrp.Http;

/// <summary>Source-generated JSON of the typed node endpoints (status, peers): no reflection, and OpenAPI reads the same types.</summary>
[JsonSerializable(typeof(StatusBody))]
[JsonSerializable(typeof(PeersBody))]
internal sealed partial class DoorsJson : JsonSerializerContext;
