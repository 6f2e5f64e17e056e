using Nnrp.Cli.Tests;

/// <summary>
/// <c>make testnet-shards</c>: the sharded loopback testnet of issue 15 at full size, with a
/// <c>nnrp crawl</c> of it while 3 nodes are down and at the end, and the figures as Markdown.
/// Exit 0 when every check held, 1 otherwise (each failure printed).
/// </summary>
internal static class ShardedRun
{
    public static async Task<int> RunAsync(int notifications)
    {
        var options = new ShardedTestnetOptions { Notifications = notifications };
        await using var net = new ShardedTestnet(options, Console.WriteLine) { Observe = CrawlAsync };
        await net.RunAsync();
        Console.WriteLine();
        Console.WriteLine(net.Figures.ToMarkdown(options, net.NotificationSize, net.Budget));
        Console.WriteLine(net.Failures.Count == 0 ? "PASS: every check held" : $"FAIL: {net.Failures.Count} failures");
        foreach (string failure in net.Failures)
        {
            Console.WriteLine("  " + failure);
        }
        return net.Failures.Count == 0 ? 0 : 1;
    }

    private static async Task CrawlAsync(string when, string bootstrap)
    {
        Console.WriteLine();
        Console.WriteLine($"$ nnrp crawl --bootstrap {bootstrap}   # {when}");
        await using var crawl = NnrpProcess.Start("crawl", "--bootstrap", bootstrap, "--peer-timeout", "20");
        int code = await crawl.WaitForExitAsync();
        Console.WriteLine(crawl.StandardOutput);
        Console.WriteLine($"(exit {code})");
        Console.WriteLine();
    }
}
