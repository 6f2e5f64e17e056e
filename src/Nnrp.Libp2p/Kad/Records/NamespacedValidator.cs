namespace Nnrp.Libp2p.Kad.Records;

/// <summary>
/// Routes a record to the validator of its namespace: keys look like <c>/&lt;namespace&gt;/…</c>
/// (go-libp2p-record). NNRP defines no namespaces yet, so the default instance refuses every
/// record with a clear reason; later issues register theirs with <see cref="Add"/>.
/// </summary>
public sealed class NamespacedValidator : IRecordValidator
{
    /// <summary>Namespace names are short identifiers (<c>pk</c>, <c>ipns</c>).</summary>
    public const int MaxNamespaceLength = 64;

    private readonly Dictionary<string, IRecordValidator> _validators = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Namespaces => _validators.Keys;

    public NamespacedValidator Add(string ns, IRecordValidator validator)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentNullException.ThrowIfNull(validator);
        _validators[ns] = validator;
        return this;
    }

    public void ValidateKey(ReadOnlySpan<byte> key) => ValidatorFor(key).ValidateKey(key);

    public void Validate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => ValidatorFor(key).Validate(key, value);

    public int Select(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> values) => ValidatorFor(key).Select(key, values);

    private IRecordValidator ValidatorFor(ReadOnlySpan<byte> key)
    {
        string? ns = NamespaceOf(key);
        if (ns is null)
        {
            throw new RecordRejectedException("record key is not of the form /<namespace>/<name>");
        }
        if (!_validators.TryGetValue(ns, out IRecordValidator? validator))
        {
            string defined = _validators.Count == 0 ? "this node defines no record namespaces" : "defined: " + string.Join(", ", _validators.Keys);
            throw new RecordRejectedException($"record namespace '{ns}' is not accepted ({defined})");
        }
        return validator;
    }

    /// <summary>The text between the leading '/' and the next one; null if the key has no namespace.</summary>
    public static string? NamespaceOf(ReadOnlySpan<byte> key)
    {
        if (key.Length < 3 || key[0] != (byte)'/')
        {
            return null;
        }
        int end = key[1..].IndexOf((byte)'/');
        if (end <= 0 || end > MaxNamespaceLength)
        {
            return null;
        }
        ReadOnlySpan<byte> name = key.Slice(1, end);
        foreach (byte b in name)
        {
            if (b is < 0x21 or > 0x7e)
            {
                return null;
            }
        }
        return System.Text.Encoding.ASCII.GetString(name);
    }
}
