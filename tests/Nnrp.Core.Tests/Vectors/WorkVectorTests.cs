using Nnrp.Core.Work;

namespace Nnrp.Core.Tests.Vectors;

/// <summary>work.json (NNRP.md §6.1, §6.2): work values and the multiplier arithmetic, low bits included.</summary>
public sealed class WorkVectorTests
{
    private static readonly VectorFile File = VectorFile.Load("work");

    [Fact]
    public void Work_values_are_the_published_ones()
    {
        foreach (Vector v in File.Vectors("value"))
        {
            ulong value = ProofOfWork.Value(v.Bytes("hash"), v.U64Hex("work"));
            Expect.Equal(v.U64Hex("value"), value, v, "value");
            Expect.Equal(v.Flag("valid_at_base"), ProofOfWork.IsValid(v.Bytes("hash"), v.U64Hex("work"), Thresholds.Base), v, "valid_at_base");
        }
    }

    [Fact]
    public void Thresholds_from_multipliers_match_to_the_last_bit()
    {
        foreach (Vector v in File.Vectors("threshold_from_multiplier"))
        {
            Expect.Equal(v.U64Hex("threshold"), Thresholds.FromMultiplier(v.Double("multiplier"), v.U64Hex("base")), v, "threshold");
        }
    }

    [Fact]
    public void Multipliers_from_thresholds_are_the_published_binary64_quotients()
    {
        foreach (Vector v in File.Vectors("multiplier_from_threshold"))
        {
            Expect.Equal(v.Double("multiplier"), Thresholds.ToMultiplier(v.U64Hex("threshold"), v.U64Hex("base")), v, "multiplier");
        }
    }

    [Fact]
    public void The_required_threshold_rule_with_default_constants_gives_the_published_multipliers()
    {
        var policy = new WorkPolicy();
        foreach (Vector v in File.Vectors("required_threshold"))
        {
            long n = (long)v.Number("n");
            double u = v.Double("utilisation");
            Expect.Equal(v.Double("multiplier"), RequiredThreshold.Multiplier(n, u, policy), v, "multiplier");
            Expect.Equal(v.U64Hex("threshold"), RequiredThreshold.Compute(n, u, policy), v, "threshold");
        }
    }
}
