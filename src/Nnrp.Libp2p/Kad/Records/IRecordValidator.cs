namespace Nnrp.Libp2p.Kad.Records;

/// <summary>
/// Checks PUT_VALUE/GET_VALUE records (kad-dht/README.md "Entry validation"): <c>Validate</c>
/// refuses a record with <see cref="RecordRejectedException"/>; <c>Select</c> picks the best of
/// several values for one key (stable, pure).
/// </summary>
public interface IRecordValidator
{
    /// <summary>Refuses a key no record could ever be valid under (GET_VALUE for a foreign namespace).</summary>
    void ValidateKey(ReadOnlySpan<byte> key);

    void Validate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    int Select(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> values);
}
