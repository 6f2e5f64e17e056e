using System.CommandLine;
using Nnrp.Client;
using Nnrp.Core;
using Spectre.Console;

namespace Nnrp.Cli.Commands;

/// <summary>
/// Exit codes a script can rely on: 0 done, 1 the operation failed (network, nodes, work
/// server, files), 2 usage (bad arguments or input text). Errors go to stderr as one
/// <c>error: …</c> line.
/// </summary>
internal static class CliExit
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    /// <summary>
    /// Invokes the parsed command line; a parse error (unknown option, missing or malformed
    /// value) prints System.CommandLine's message and exits with <see cref="Usage"/>, not its default 1.
    /// </summary>
    public static async Task<int> InvokeAsync(ParseResult parse, InvocationConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(parse);
        int code = await parse.InvokeAsync(configuration);
        return parse.Errors.Count > 0 && code != Ok ? Usage : code;
    }

    /// <summary>Prints a usage error and returns <see cref="Usage"/>.</summary>
    public static int UsageError(string message)
    {
        Error(message);
        return Usage;
    }

    /// <summary>Prints an operation failure and returns <see cref="Failed"/>.</summary>
    public static int Failure(string message)
    {
        Error(message);
        return Failed;
    }

    /// <summary>
    /// Runs a command body: input that does not parse (<see cref="NnrpFormatException"/> from
    /// reading arguments) is a usage error; I/O and client errors are failures.
    /// </summary>
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (UsageException e)
        {
            return UsageError(e.Message);
        }
        catch (OperationCanceledException)
        {
            return Failure("cancelled");
        }
        catch (Exception e) when (e is NnrpException or NnrpClientException or IOException or UnauthorizedAccessException or HttpRequestException)
        {
            return Failure(e.Message);
        }
    }

    /// <summary>Parses a user-supplied value; a format error becomes a usage error naming the option.</summary>
    public static T Parse<T>(string option, Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return parse();
        }
        catch (Exception e) when (e is NnrpException or FormatException or ArgumentException or OverflowException)
        {
            throw new UsageException($"{option}: {e.Message}");
        }
    }

    private static void Error(string message) =>
        Console.Error.WriteLine("error: " + message);
}

/// <summary>The command line asked for something malformed; exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
