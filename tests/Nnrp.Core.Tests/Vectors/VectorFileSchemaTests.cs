using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>
/// The published vector files keep the schema other implementations read (NNRP.md §16), and each
/// family has a test class here, so no file can be added without being checked.
/// </summary>
public sealed partial class VectorFileSchemaTests
{
    // One entry per test class in this folder; a new file needs its class and an entry.
    private static readonly string[] Families =
        ["encodings", "keys", "notifications", "payment_events", "receipts", "sealing", "shards", "sync", "work"];

    [Fact]
    public void Every_published_file_is_a_known_family()
    {
        string[] files = System.IO.Directory.GetFiles(VectorFile.Directory, "*.json")
            .Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(Families, files);
    }

    [Fact]
    public void Every_file_and_vector_is_described_and_named_in_snake_case()
    {
        foreach (string family in Families)
        {
            VectorFile file = VectorFile.Load(family);
            Assert.Equal(family, file.Root.GetProperty("family").GetString());
            Assert.False(string.IsNullOrWhiteSpace(file.Root.GetProperty("spec").GetString()), family);
            Assert.False(string.IsNullOrWhiteSpace(file.Root.GetProperty("description").GetString()), family);
            foreach (Vector v in file.Vectors())
            {
                Assert.False(string.IsNullOrWhiteSpace(v.Description), family);
                CheckNames(family, v.Element);
            }
        }
    }

    private static void CheckNames(string family, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty p in element.EnumerateObject())
            {
                Assert.True(p.Name == "R" || SnakeCase().IsMatch(p.Name), $"{family}: field {p.Name} is not snake_case");
                CheckNames(family, p.Value);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement e in element.EnumerateArray())
            {
                CheckNames(family, e);
            }
        }
        else if (element.ValueKind == JsonValueKind.String)
        {
            string s = element.GetString()!;
            Assert.False(UpperHex().IsMatch(s) && s.Length >= 16, $"{family}: \"{s}\" is hex in uppercase");
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();

    [GeneratedRegex("^[0-9A-F]*[A-F][0-9A-F]*$")]
    private static partial Regex UpperHex();
}
