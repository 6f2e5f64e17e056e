namespace Nnrp.Http;

/// <summary>Where the HTTP API listens and whom browsers may let call it.</summary>
public sealed record HttpApiOptions
{
    /// <summary>Loopback by default: a wallet on the same machine, nobody else (issue 6 item 6).</summary>
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>Kestrel URLs, e.g. <c>http://0.0.0.0:8080</c>; port 0 picks a free port.</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Origins allowed by CORS (<c>*</c> for any); empty: no CORS headers, browsers on other origins are refused.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>NNRP.md §12: JSON documents over 8 KiB are refused; protobuf bodies get the same bound.</summary>
    public int MaxBodyBytes { get; init; } = 8 * 1024;
}
