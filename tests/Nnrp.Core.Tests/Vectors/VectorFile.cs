using System.Text.Json;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>
/// One family of the published vectors (protocols/vectors/*.json, NNRP.md §16), copied next to
/// the test assembly. Every file is <c>{"family", "spec", "description", "vectors": [...]}</c>.
/// </summary>
internal sealed class VectorFile
{
    private VectorFile(string family, JsonElement root)
    {
        Family = family;
        Root = root;
    }

    public string Family { get; }

    public JsonElement Root { get; }

    /// <summary>Every vector of the family, or those whose <c>kind</c> is <paramref name="kind"/>.</summary>
    public IReadOnlyList<Vector> Vectors(string? kind = null)
    {
        var list = Root.GetProperty("vectors").EnumerateArray()
            .Where(v => kind is null || (v.TryGetProperty("kind", out JsonElement k) && k.GetString() == kind))
            .Select(v => new Vector(v))
            .ToList();
        Assert.True(list.Count > 0, $"{Family}.json has no vectors of kind {kind ?? "(any)"}");
        return list;
    }

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Vectors", "nnrp");

    public static VectorFile Load(string family)
    {
        string path = Path.Combine(Directory, family + ".json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return new VectorFile(family, doc.RootElement.Clone());
    }
}

/// <summary>One vector; accessors read the schema's encodings (lowercase hex bytes, 16-digit hex u64).</summary>
internal readonly struct Vector(JsonElement element)
{
    public JsonElement Element => element;

    public string Description => element.GetProperty("description").GetString()!;

    public bool Has(string name) => element.TryGetProperty(name, out _);

    public string Text(string name) => element.GetProperty(name).GetString()!;

    public byte[] Bytes(string name) => Convert.FromHexString(Text(name));

    public ulong U64Hex(string name) => ulong.Parse(Text(name), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    public ulong Number(string name) => element.GetProperty(name).GetUInt64();

    public double Double(string name) => element.GetProperty(name).GetDouble();

    public bool Flag(string name) => element.GetProperty(name).GetBoolean();

    public string[] Texts(string name) => element.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToArray();

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}

/// <summary>Equality that names the vector and field that differ (xunit's Assert.Equal cannot).</summary>
internal static class Expect
{
    public static void Equal<T>(T expected, T actual, Vector vector, string field)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new Xunit.Sdk.XunitException($"{field} of \"{vector.Description}\": expected {expected}, got {actual}");
        }
    }

    public static void Hex(Vector vector, string field, ReadOnlySpan<byte> actual) =>
        Equal(vector.Text(field), Vector.Hex(actual), vector, field);
}
