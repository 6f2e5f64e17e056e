// Test-only child process for the store's crash and disk-full tests (tests/Nnrp.Node.Tests,
// Storage/CrashTests.cs). It feeds the ingress gate from 16 concurrent writers and prints
// "ACK <hash>" for every notification acknowledged as durable, so the parent knows exactly
// which ones must survive a SIGKILL.
//
//   load <store dir>   run until killed
//   fill <store dir>   stop at the first refusal, print "REFUSED <status>", exit 0
//   evict <store dir>  run until killed against a 256 KiB global cap, so nearly every group evicts
using System.Security.Cryptography;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;
using Nnrp.Node.Decisions;
using Nnrp.Node.Ingress;
using Nnrp.Node.Storage;

if (args.Length != 2 || args[0] is not ("load" or "fill" or "evict"))
{
    Console.Error.WriteLine("usage: Nnrp.Node.CrashChild load|fill|evict <store dir>");
    return 64;
}
bool fill = args[0] == "fill";
StoreOptions options = args[0] == "evict" ? new StoreOptions { MaxBytes = 256 * 1024 } : new StoreOptions();
RocksDbNotificationStore store;
try
{
    store = RocksDbNotificationStore.Open(args[1], options);
}
catch (StoreUnavailableException ex)
{
    Console.Out.WriteLine("REFUSED open " + ex.Message);
    return 0;
}
// The load knee at 1: a full store must not raise the price here, only evict.
var gate = new IngressGate(store, new IngressOptions { Policy = new WorkPolicy { BaseThreshold = 0, LoadKnee = 1.0 } });
var output = new object();
using var stop = new CancellationTokenSource();
Console.Out.WriteLine("READY");

async Task WriterAsync()
{
    while (!stop.IsCancellationRequested)
    {
        // A fresh mailbox each time: per-tag escalation and caps are not what this tests.
        RecipientTag tag = RecipientTag.FromBytes(RandomNumberGenerator.GetBytes(32));
        var n = new Notification(1, tag, (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), NotificationLimits.MaxTtl,
            RandomNumberGenerator.GetBytes(fill ? 2000 : 200), (ulong)Random.Shared.NextInt64());
        Decision result = await gate.SubmitAsync(n);
        lock (output)
        {
            if (result.Status == DecisionStatus.Accepted)
            {
                Console.Out.WriteLine("ACK " + result.Hash);
            }
            else if (fill || result.Status == DecisionStatus.Internal)
            {
                Console.Out.WriteLine($"REFUSED {result.Status} {result.Message}");
                stop.Cancel();
            }
        }
    }
}

await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(WriterAsync)));
await gate.DisposeAsync();
store.Dispose();
return 0;
