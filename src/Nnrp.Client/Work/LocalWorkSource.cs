using Nnrp.Core.Notifications;
using Nnrp.Core.Work;

namespace Nnrp.Client.Work;

/// <summary>Work found on this machine by <see cref="WorkGenerator"/> (every core, widest SIMD).</summary>
/// <param name="options">Threads and path; null = every core, best path, random start.</param>
public sealed class LocalWorkSource(WorkGeneratorOptions? options = null) : IWorkSource
{
    /// <inheritdoc />
    public async Task<ulong> GenerateAsync(NotificationHash hash, ulong threshold, IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        WorkResult result = await WorkGenerator.GenerateAsync(hash.ToArray(), threshold, progress, options, cancellationToken);
        return result.Work;
    }
}
