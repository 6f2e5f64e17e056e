using BenchmarkDotNet.Attributes;
using Nnrp.Core.Work;

namespace Nnrp.Benchmarks.Core;

/// <summary>
/// Proof-of-work hashing on one core, each path side by side. One operation = 4096 nonces,
/// so "per op" times divide by <see cref="Nonces"/> (BenchmarkDotNet does this through
/// OperationsPerInvoke: the Mean column is the time per hash). Baseline: a plain scalar
/// BLAKE2b (Init/Update/Final per nonce), the "≥ 3×" reference of DESIGN.md.
/// </summary>
[MemoryDiagnoser]
public class PowBenchmarks
{
    private const int Nonces = 4096;
    private readonly byte[] _root = Convert.FromHexString("bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de");
    private ulong _start;

    [Benchmark(Baseline = true, OperationsPerInvoke = Nonces, Description = "plain scalar BLAKE2b")]
    public ulong PlainScalar()
    {
        ulong acc = 0;
        ulong start = _start += Nonces;
        for (int i = 0; i < Nonces; i++)
        {
            acc ^= ProofOfWork.ValueReference(_root, start + (ulong)i);
        }
        return acc;
    }

    [Benchmark(OperationsPerInvoke = Nonces, Description = "PoW scalar (specialised)")]
    public bool Scalar() => Search(WorkPath.Scalar);

    [Benchmark(OperationsPerInvoke = Nonces, Description = "PoW Vector256 (AVX2, 4 lanes)")]
    public bool Vector256() => Search(WorkPath.Vector256);

    [Benchmark(OperationsPerInvoke = Nonces, Description = "PoW Vector512 (AVX-512, 8 lanes)")]
    public bool Vector512() => Search(WorkPath.Vector512);

    [Benchmark(OperationsPerInvoke = Nonces, Description = "validation (ProofOfWork.IsValid)")]
    public int Validate()
    {
        int valid = 0;
        ulong start = _start += Nonces;
        for (int i = 0; i < Nonces; i++)
        {
            valid += ProofOfWork.IsValid(_root, start + (ulong)i, Thresholds.Base) ? 1 : 0;
        }
        return valid;
    }

    private bool Search(WorkPath path)
    {
        if (!WorkGenerator.IsSupported(path))
        {
            return false;
        }
        ulong start = _start += Nonces;
        // ulong.MaxValue is never met, so every nonce of the batch is hashed.
        return WorkGenerator.TrySearch(_root, ulong.MaxValue, start, Nonces, path, out _, out _);
    }
}
