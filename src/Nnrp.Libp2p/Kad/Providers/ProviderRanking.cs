namespace Nnrp.Libp2p.Kad.Providers;

/// <summary>
/// NNRP.md §14.2: verified providers (this node itself, and those the policy verified) come
/// first wherever providers are handed out; within each group the store's order (latest
/// expiry first) is kept.
/// </summary>
internal sealed class ProviderRanking(ReadOnlyMemory<byte> self, IProviderRecordPolicy policy)
{
    public bool IsVerified(ReadOnlySpan<byte> providerId) => providerId.SequenceEqual(self.Span) || policy.IsVerified(providerId);

    /// <summary>The first <paramref name="max"/> of <paramref name="records"/>, verified ones first (a stable sort).</summary>
    public IReadOnlyList<ProviderRecord> Order(IReadOnlyList<ProviderRecord> records, int max) =>
        records.OrderBy(r => IsVerified(r.Provider.Id.Span) ? 0 : 1).Take(max).ToArray();
}
