namespace Nnrp.Libp2p.Kad.Records;

/// <summary>
/// Checks PUT_VALUE/GET_VALUE records (kad-dht/README.md "Entry validation"): <c>Validate</c>
/// refuses a record with <see cref="RecordRejectedException"/>; <c>Select</c> picks the best of
/// several values for one key (stable, pure).
/// </summary>
public interface IRecordValidator
{
    void Validate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    int Select(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> values);
}
