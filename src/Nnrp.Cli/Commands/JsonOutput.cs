using System.Text.Json;

namespace Nnrp.Cli.Commands;

/// <summary>
/// The <c>--json</c> output of every command: JSON objects with snake_case names, one per line
/// on stdout (one document for send, status, key, keygen and id; one per item for fetch).
/// Errors stay one <c>error: …</c> line on stderr, so stdout always parses.
/// </summary>
internal static class JsonOutput
{
    /// <summary>Writes one object, then a newline, to stdout.</summary>
    public static void Write(Action<Utf8JsonWriter> body)
    {
        using Stream stdout = Console.OpenStandardOutput();
        WriteLine(stdout, body);
        stdout.Flush();
    }

    /// <summary>Writes one object on one line of <paramref name="stdout"/>.</summary>
    public static void WriteLine(Stream stdout, Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(body);
        using (var writer = new Utf8JsonWriter(stdout))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }

    /// <summary>An array of strings under <paramref name="name"/>.</summary>
    public static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(values);
        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }
        writer.WriteEndArray();
    }

    /// <summary>An array under <paramref name="name"/> with one object per item, filled by <paramref name="write"/>.</summary>
    public static void WriteObjects<T>(Utf8JsonWriter writer, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> write)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(write);
        writer.WriteStartArray(name);
        foreach (T item in items)
        {
            writer.WriteStartObject();
            write(writer, item);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
