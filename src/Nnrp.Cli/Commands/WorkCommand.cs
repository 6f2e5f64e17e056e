using System.CommandLine;
using System.Globalization;
using Nnrp.Client.Work;
using Nnrp.Core.Notifications;
using Nnrp.Core.Work;

namespace Nnrp.Cli.Commands;

/// <summary>
/// <c>nnrp work</c>: generate or validate Nano-compatible work for a hash (NNRP.md §6). Output
/// is <c>work</c>, <c>value</c>, <c>multiplier</c> and <c>valid</c> lines; validating work
/// that does not meet the threshold exits 1.
/// </summary>
internal static class WorkCommand
{
    public static Command Create()
    {
        var hash = new Option<string>("--hash") { Description = "The 32-byte root (a notification content hash), 64 hex", Required = true };
        var threshold = new Option<string?>("--threshold") { Description = "Threshold, 16 hex (default: the base fffffe0000000000)" };
        var multiplier = new Option<double?>("--multiplier") { Description = "Threshold as a multiple of the base instead" };
        var validate = new Option<string?>("--validate") { Description = "Check this work (16 hex) instead of generating" };
        var server = new Option<Uri?>("--work-server") { Description = "Nano work server / node RPC URL for work_generate (default: this machine)" };
        var threads = new Option<int>("--threads") { Description = "Threads for local work (0 = every core)" };
        var command = new Command("work", "Generate or validate proof of work for a hash") { hash, threshold, multiplier, validate, server, threads };
        command.SetAction((parse, ct) => CliExit.RunAsync(async () =>
        {
            NotificationHash root = CliExit.Parse("--hash", () => NotificationHash.Parse(parse.GetValue(hash)));
            ulong target = ThresholdOf(parse.GetValue(threshold), parse.GetValue(multiplier));
            byte[] rootBytes = root.ToArray();
            ulong work;
            if (parse.GetValue(validate) is { } given)
            {
                work = CliExit.Parse("--validate", () => ProofOfWork.ParseWork(given));
            }
            else
            {
                IWorkSource source = WorkSources.Create(parse.GetValue(server), parse.GetValue(threads), out HttpClient? http);
                using (http)
                {
                    work = await WorkProgressDisplay.RunAsync(target, p => source.GenerateAsync(root, target, p, ct));
                }
            }
            ulong value = ProofOfWork.Value(rootBytes, work);
            bool valid = value >= target;
            new Fields()
                .Add("work", ProofOfWork.FormatWork(work))
                .Add("value", ProofOfWork.FormatWork(value))
                .Add("threshold", ProofOfWork.FormatWork(target))
                .Add("multiplier", Thresholds.ToMultiplier(value).ToString("0.####", CultureInfo.InvariantCulture))
                .Add("valid", valid ? "yes" : "no")
                .Write();
            return valid ? CliExit.Ok : CliExit.Failed;
        }));
        return command;
    }

    /// <summary>The threshold from --threshold or --multiplier (not both); the base when neither.</summary>
    public static ulong ThresholdOf(string? threshold, double? multiplier)
    {
        if (threshold is not null && multiplier is not null)
        {
            throw new UsageException("give --threshold or --multiplier, not both");
        }
        if (threshold is not null)
        {
            return CliExit.Parse("--threshold", () => ProofOfWork.ParseWork(threshold));
        }
        if (multiplier is { } m)
        {
            return CliExit.Parse("--multiplier", () => Thresholds.FromMultiplier(m));
        }
        return Thresholds.Base;
    }
}

/// <summary>The work source the options ask for: a work server when a URL is given, else this machine.</summary>
internal static class WorkSources
{
    public static IWorkSource Create(Uri? server, int threads, out HttpClient? http)
    {
        if (server is null)
        {
            http = null;
            return new LocalWorkSource(new WorkGeneratorOptions { Threads = threads });
        }
        if (!server.IsAbsoluteUri || server.Scheme is not ("http" or "https"))
        {
            throw new UsageException("--work-server: an http:// or https:// URL");
        }
        // Work at a high multiplier can take minutes on a small server.
        http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        return new WorkServerClient(http, server);
    }
}
