using Nnrp.Libp2p.Kad.Providers;

namespace Nnrp.Libp2p.Tests.Kad;

public sealed class MemoryProviderStoreTests : ProviderStoreRules
{
    protected override IProviderStore Store { get; } = new MemoryProviderStore(Quotas);

    protected override IProviderStore Create(ProviderQuotas quotas) => new MemoryProviderStore(quotas);
}
