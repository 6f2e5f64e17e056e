using Nnrp.Core.Notifications;
using Nnrp.Core.Work;

namespace Nnrp.Client.Work;

/// <summary>
/// Something that finds proof of work for a notification hash (NNRP.md §6): this machine's
/// cores (<see cref="LocalWorkSource"/>) or a Nano work server (<see cref="WorkServerClient"/>).
/// </summary>
public interface IWorkSource
{
    /// <summary>A work value whose PoW over <paramref name="hash"/> is at least <paramref name="threshold"/>.</summary>
    /// <exception cref="OperationCanceledException">cancelled before work was found.</exception>
    /// <exception cref="NnrpClientException">the source failed or returned invalid work.</exception>
    Task<ulong> GenerateAsync(NotificationHash hash, ulong threshold, IProgress<WorkProgress>? progress, CancellationToken cancellationToken);
}
