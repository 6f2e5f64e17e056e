namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>
/// What the application on top of the DHT says about provider records (NNRP.md §14.2
/// "Provider records"): which keys it uses at all, and which providers it has verified. The
/// DHT itself knows neither; a node supplies the policy, so the libp2p layer stays generic.
/// </summary>
public interface IProviderRecordPolicy
{
    /// <summary>True if ADD_PROVIDER for <paramref name="key"/> (a wire key) may be stored.</summary>
    bool AcceptsKey(ReadOnlySpan<byte> key);

    /// <summary>
    /// True if the provider with peer-id bytes <paramref name="providerId"/> was verified lately
    /// (for NNRP: answered a status request). Verified providers are handed out first and are
    /// never evicted to make room for an unverified newcomer. Called under the store's lock:
    /// must not block.
    /// </summary>
    bool IsVerified(ReadOnlySpan<byte> providerId);

    /// <summary>A record of <paramref name="provider"/> was stored or renewed; the policy may start verifying it. Must not block.</summary>
    void Stored(KadPeer provider);
}

/// <summary>The policy of a bare DHT: every key accepted, nobody verified.</summary>
public sealed class AnyKeyProviderPolicy : IProviderRecordPolicy
{
    public static readonly AnyKeyProviderPolicy Instance = new();

    private AnyKeyProviderPolicy()
    {
    }

    public bool AcceptsKey(ReadOnlySpan<byte> key) => true;

    public bool IsVerified(ReadOnlySpan<byte> providerId) => false;

    public void Stored(KadPeer provider)
    {
    }
}
