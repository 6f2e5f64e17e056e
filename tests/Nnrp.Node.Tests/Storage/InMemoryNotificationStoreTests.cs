using Nnrp.Node.Storage;

namespace Nnrp.Node.Tests.Storage;

/// <summary>The store rules against the in-memory store, which node behaviour tests run on.</summary>
public sealed class InMemoryNotificationStoreTests : NotificationStoreRules
{
    protected override INotificationStore Open(StoreOptions options) => new InMemoryNotificationStore(options);
}
