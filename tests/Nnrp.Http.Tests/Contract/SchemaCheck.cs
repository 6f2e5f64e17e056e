using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nnrp.Http.Tests.Contract;

/// <summary>
/// Checks a JSON answer against a schema of the served /openapi.json: the subset of JSON Schema
/// the document uses (<c>$ref</c>, <c>type</c> incl. lists, <c>required</c>, <c>properties</c>,
/// <c>additionalProperties</c>, <c>items</c>, <c>enum</c>, <c>pattern</c>, <c>minimum</c>/<c>maximum</c>).
/// A property the schema does not name is an error: the node's documents are closed, so a field
/// added on the wire must be added to the document.
/// </summary>
internal static class SchemaCheck
{
    public static IReadOnlyList<string> Errors(JsonElement value, JsonElement schema, JsonElement document)
    {
        var errors = new List<string>();
        Check(value, schema, document, "$", errors);
        return errors;
    }

    private static void Check(JsonElement value, JsonElement schema, JsonElement document, string at, List<string> errors)
    {
        if (schema.TryGetProperty("$ref", out JsonElement reference))
        {
            string name = reference.GetString()!.Replace("#/components/schemas/", "", StringComparison.Ordinal);
            Check(value, document.GetProperty("components").GetProperty("schemas").GetProperty(name), document, at, errors);
            return;
        }
        if (schema.TryGetProperty("type", out JsonElement type))
        {
            string[] allowed = type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)] : [type.GetString()!];
            if (!allowed.Contains(KindOf(value)) && !(KindOf(value) == "integer" && allowed.Contains("number")))
            {
                errors.Add($"{at}: {KindOf(value)} where the document says {string.Join("|", allowed)}");
                return;
            }
        }
        if (schema.TryGetProperty("enum", out JsonElement choices) && !choices.EnumerateArray().Any(c => c.ToString() == value.ToString()))
        {
            errors.Add($"{at}: '{value}' is not one of {choices}");
        }
        switch (value.ValueKind)
        {
            case JsonValueKind.String when schema.TryGetProperty("pattern", out JsonElement pattern):
                if (!Regex.IsMatch(value.GetString()!, pattern.GetString()!))
                {
                    errors.Add($"{at}: '{value.GetString()}' does not match {pattern.GetString()}");
                }
                break;
            case JsonValueKind.Number:
                if (schema.TryGetProperty("minimum", out JsonElement min) && value.GetDouble() < min.GetDouble())
                {
                    errors.Add($"{at}: {value} < minimum {min}");
                }
                if (schema.TryGetProperty("maximum", out JsonElement max) && value.GetDouble() > max.GetDouble())
                {
                    errors.Add($"{at}: {value} > maximum {max}");
                }
                break;
            case JsonValueKind.Array when schema.TryGetProperty("items", out JsonElement items):
                int i = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    Check(item, items, document, $"{at}[{i++}]", errors);
                }
                break;
            case JsonValueKind.Object:
                CheckObject(value, schema, document, at, errors);
                break;
        }
    }

    private static void CheckObject(JsonElement value, JsonElement schema, JsonElement document, string at, List<string> errors)
    {
        if (schema.TryGetProperty("required", out JsonElement required))
        {
            foreach (string name in required.EnumerateArray().Select(r => r.GetString()!).Where(name => !value.TryGetProperty(name, out _)))
            {
                errors.Add($"{at}: required '{name}' is missing");
            }
        }
        bool hasProperties = schema.TryGetProperty("properties", out JsonElement properties);
        bool hasAdditional = schema.TryGetProperty("additionalProperties", out JsonElement additional);
        foreach (JsonProperty property in value.EnumerateObject())
        {
            if (hasProperties && properties.TryGetProperty(property.Name, out JsonElement propertySchema))
            {
                Check(property.Value, propertySchema, document, $"{at}.{property.Name}", errors);
            }
            else if (hasAdditional && additional.ValueKind == JsonValueKind.Object)
            {
                Check(property.Value, additional, document, $"{at}.{property.Name}", errors);
            }
            else
            {
                errors.Add($"{at}: '{property.Name}' is on the wire but not in the document");
            }
        }
    }

    private static string KindOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => value.TryGetUInt64(out _) || value.TryGetInt64(out _) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "array",
        _ => "object",
    };
}
