using Nnrp.Libp2p.Kad;
using Nnrp.Libp2p.Kad.Records;

namespace Nnrp.Libp2p.Tests.Kad;

public class RecordValidatorTests
{
    private sealed class AcceptAll : IRecordValidator
    {
        public void ValidateKey(ReadOnlySpan<byte> key)
        {
        }

        public void Validate(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
        }

        public int Select(ReadOnlySpan<byte> key, IReadOnlyList<byte[]> values) => 0;
    }

    [Fact]
    public void Record_in_an_undefined_namespace_is_refused_with_a_clear_reason()
    {
        var validator = new NamespacedValidator();
        var ex = Assert.Throws<RecordRejectedException>(() => validator.Validate("/pk/abc"u8, "v"u8));
        Assert.Contains("'pk'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no record namespaces", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("pk/abc")]
    [InlineData("/pk")]
    [InlineData("//abc")]
    public void Key_without_a_namespace_is_refused(string key)
    {
        Assert.Throws<RecordRejectedException>(() => new NamespacedValidator().Validate(System.Text.Encoding.UTF8.GetBytes(key), []));
    }

    [Fact]
    public void Registered_namespace_is_validated_by_its_own_validator()
    {
        var validator = new NamespacedValidator().Add("nnrp", new AcceptAll());
        validator.Validate("/nnrp/x"u8, "v"u8);
        Assert.Equal(0, validator.Select("/nnrp/x"u8, [[1], [2]]));
        Assert.Throws<RecordRejectedException>(() => validator.Validate("/ipns/x"u8, "v"u8));
    }
}
