using System.Text;
using System.Text.Json;
using Nnrp.Core.Hashing;

namespace Nnrp.Core.Tests.Hashing;

public class Blake2bTests
{
    public static TheoryData<string, string, string> KatVectors()
    {
        // Official BLAKE2 KAT (BLAKE2/BLAKE2 testvectors/blake2-kat.json), blake2b entries for
        // input lengths 0, 16, …, 240 and 1, 63, 64, 65, 127, 128, 129, 255, unkeyed and keyed.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Vectors", "blake2b-kat-subset.json")));
        var data = new TheoryData<string, string, string>();
        foreach (JsonElement v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            data.Add(v.GetProperty("in").GetString()!, v.GetProperty("key").GetString()!, v.GetProperty("out").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(KatVectors))]
    public void Official_KAT_vectors_match_one_shot(string input, string key, string expected)
    {
        byte[] digest = Blake2b.Hash(Convert.FromHexString(input), 64, Convert.FromHexString(key));
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Theory]
    [MemberData(nameof(KatVectors))]
    public void Official_KAT_vectors_match_when_fed_in_uneven_chunks(string input, string key, string expected)
    {
        byte[] data = Convert.FromHexString(input);
        var state = default(Blake2b);
        state.Init(64, Convert.FromHexString(key));
        int[] chunks = [1, 7, 128, 3, 64, 200];
        int offset = 0, i = 0;
        while (offset < data.Length)
        {
            int take = Math.Min(chunks[i++ % chunks.Length], data.Length - offset);
            state.Update(data.AsSpan(offset, take));
            offset += take;
        }
        var digest = new byte[64];
        state.Final(digest);
        Assert.Equal(expected, Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void Rfc7693_appendix_A_abc_vector()
    {
        // RFC 7693 Appendix A: BLAKE2b-512("abc").
        Assert.Equal(
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
            Convert.ToHexStringLower(Blake2b.Hash("abc"u8, 64)));
    }

    [Theory]
    // Expected values from Python's hashlib.blake2b (the reference C implementation) with digest_size set.
    [InlineData(8, "d8bb14d833d59559")]
    [InlineData(5, "44229fc0ef")]
    [InlineData(32, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")]
    public void Short_digests_follow_the_parameter_block(int size, string expected)
    {
        Assert.Equal(expected, Convert.ToHexStringLower(Blake2b.Hash("abc"u8, size)));
    }

    [Fact]
    public void Keyed_32_byte_digest_over_two_blocks()
    {
        byte[] data = Enumerable.Range(0, 200).Select(i => (byte)i).ToArray();
        byte[] key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        Assert.Equal("a39ff6e7e838226fd50e24a55375ff3a39419fd93e32cc463f3f74323291c425",
            Convert.ToHexStringLower(Blake2b.Hash(data, 32, key)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Digest_size_outside_1_to_64_is_refused(int size)
    {
        var state = default(Blake2b);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.Init(size));
    }

    [Fact]
    public void Key_longer_than_64_bytes_is_refused()
    {
        var state = default(Blake2b);
        Assert.Throws<ArgumentOutOfRangeException>(() => state.Init(32, new byte[65]));
    }

    [Fact]
    public void Using_an_uninitialised_state_is_an_error_not_a_wrong_hash()
    {
        var state = default(Blake2b);
        Assert.Throws<InvalidOperationException>(() => state.Final(new byte[64]));
    }

    [Fact]
    public void Exactly_one_block_is_not_compressed_twice()
    {
        // 128 bytes: the only block is the final one (RFC 7693 §3.3), fed byte by byte.
        byte[] data = Encoding.ASCII.GetBytes(new string('x', 128));
        var state = default(Blake2b);
        state.Init(64);
        foreach (byte b in data)
        {
            state.Update([b]);
        }
        var digest = new byte[64];
        state.Final(digest);
        Assert.Equal(Blake2b.Hash(data, 64), digest);
    }
}
