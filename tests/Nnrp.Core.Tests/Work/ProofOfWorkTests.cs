using Nnrp.Core.Work;

namespace Nnrp.Core.Tests.Work;

public class ProofOfWorkTests
{
    // Nano live genesis block (nanocurrency/nano-node nano/secure/common.cpp, live_genesis_data):
    // an open block, so its root is the account public key; work "62f05417dd3fb691". It was made
    // for the pre-V21 threshold 0xffffffc000000000.
    private static readonly byte[] GenesisRoot = Convert.FromHexString("E89208DD038FBB269987689621D52292AE9C35941A7484756ECCED92A65093BA");
    private const ulong GenesisWork = 0x62f05417dd3fb691;

    // nanocurrency/nano-work-server README.md, work_validate example: hash 718CC2…79E2,
    // work 2bf29ef00786a6bc, response value ffffffd21c3933f4, multiplier 1.3946469 over ffffffc000000000.
    private static readonly byte[] ServerRoot = Convert.FromHexString("718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2");
    private const ulong ServerWork = 0x2bf29ef00786a6bc;
    private const ulong ServerValue = 0xffffffd21c3933f4;

    [Fact]
    public void Nano_work_server_example_has_the_published_value()
    {
        Assert.Equal(ServerValue, ProofOfWork.Value(ServerRoot, ServerWork));
        Assert.Equal(ServerValue, ProofOfWork.ValueReference(ServerRoot, ServerWork));
        Assert.True(ProofOfWork.IsValid(ServerRoot, ServerWork, 0xffffffc000000000));
        Assert.False(ProofOfWork.IsValid(ServerRoot, ServerWork, ServerValue + 1));
    }

    [Fact]
    public void Nano_live_genesis_work_meets_the_threshold_it_was_made_for()
    {
        ulong value = ProofOfWork.Value(GenesisRoot, GenesisWork);
        Assert.Equal(0xfffffff4000d3dacUL, value); // also computed by Python hashlib.blake2b(digest_size=8)
        Assert.True(ProofOfWork.IsValid(GenesisRoot, GenesisWork, Thresholds.NanoEpoch1));
        Assert.True(ProofOfWork.IsValid(GenesisRoot, GenesisWork, Thresholds.Base));
        Assert.False(ProofOfWork.IsValid(GenesisRoot, GenesisWork ^ 1, Thresholds.NanoEpoch1));
    }

    [Fact]
    public void Specialised_scalar_value_agrees_with_the_general_blake2b_on_random_inputs()
    {
        var random = new Random(7693);
        var root = new byte[32];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(root);
            ulong work = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 40);
            Assert.Equal(ProofOfWork.ValueReference(root, work), ProofOfWork.Value(root, work));
        }
    }

    [Theory]
    [InlineData(WorkPath.Vector256)]
    [InlineData(WorkPath.Vector512)]
    public void Simd_paths_find_the_same_first_nonce_as_the_scalar_path(WorkPath path)
    {
        if (!WorkGenerator.IsSupported(path))
        {
            return; // this CPU lacks the instructions; the scalar path is what runs here
        }
        var random = new Random(42);
        var root = new byte[32];
        for (int i = 0; i < 50; i++)
        {
            random.NextBytes(root);
            ulong start = (ulong)random.NextInt64();
            const ulong threshold = 0xfc00000000000000; // ~64 hashes
            Assert.True(WorkGenerator.TrySearch(root, threshold, start, 1 << 16, WorkPath.Scalar, out ulong scalarWork, out ulong scalarValue));
            Assert.True(WorkGenerator.TrySearch(root, threshold, start, 1 << 16, path, out ulong simdWork, out ulong simdValue));
            Assert.Equal(scalarWork, simdWork);
            Assert.Equal(scalarValue, simdValue);
            Assert.Equal(ProofOfWork.ValueReference(root, simdWork), simdValue);
        }
    }

    [Theory]
    [InlineData(WorkPath.Scalar)]
    [InlineData(WorkPath.Vector256)]
    [InlineData(WorkPath.Vector512)]
    public void Every_path_finds_the_published_work_when_searching_across_it(WorkPath path)
    {
        if (!WorkGenerator.IsSupported(path))
        {
            return;
        }
        // Start a little before the real nonce; nothing in between may meet the published value.
        Assert.True(WorkGenerator.TrySearch(ServerRoot, ServerValue, ServerWork - 5, 64, path, out ulong work, out ulong value));
        Assert.Equal(ServerWork, work);
        Assert.Equal(ServerValue, value);
    }

    [Fact]
    public void A_search_with_nothing_to_find_reports_false()
    {
        Assert.False(WorkGenerator.TrySearch(ServerRoot, ulong.MaxValue, 0, 4096, WorkGenerator.BestPath, out _, out _));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(0)]
    public void Root_of_wrong_length_is_refused(int length)
    {
        Assert.Throws<NnrpFormatException>(() => ProofOfWork.Value(new byte[length], 0));
        Assert.Throws<NnrpFormatException>(() => ProofOfWork.ValueReference(new byte[length], 0));
    }

    [Fact]
    public void Work_text_is_16_hex_digits_big_endian()
    {
        Assert.Equal("62f05417dd3fb691", ProofOfWork.FormatWork(GenesisWork));
        Assert.Equal("0000000000000001", ProofOfWork.FormatWork(1));
        Assert.Equal(GenesisWork, ProofOfWork.ParseWork("62F05417DD3FB691"));
    }

    [Theory]
    [InlineData("62f05417dd3fb69")]
    [InlineData("62f05417dd3fb6911")]
    [InlineData("62f05417dd3fb69g")]
    [InlineData("+2f05417dd3fb691")]
    [InlineData(" 2f05417dd3fb691")]
    [InlineData("")]
    public void Malformed_work_text_is_refused(string text)
    {
        Assert.False(ProofOfWork.TryParseWork(text, out _));
        Assert.Throws<NnrpFormatException>(() => ProofOfWork.ParseWork(text));
    }
}
