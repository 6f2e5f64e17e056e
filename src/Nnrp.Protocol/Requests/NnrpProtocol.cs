namespace Nnrp.Protocol.Requests;

/// <summary>The /nnrp/1.0 request-response protocol (NNRP.md §11).</summary>
public static class NnrpProtocol
{
    /// <summary>§11.1: the protocol id negotiated by multistream-select.</summary>
    public const string Id = "/nnrp/1.0";

    /// <summary>§11.1: a request is at most 4 KiB (a publish carries one ≤ 2304-byte notification).</summary>
    public const int MaxRequestSize = 4 * 1024;

    /// <summary>§11.1: a response is at most 2 MiB (500 notifications × 2.3 KB fits with room).</summary>
    public const int MaxResponseSize = 2 * 1024 * 1024;

    /// <summary>§11.7: protocol_version in StatusResponse.</summary>
    public const uint Version = 1;
}
