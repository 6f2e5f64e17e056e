using Nnrp.Libp2p.Addressing;

namespace Nnrp.Libp2p.Tests.Addressing;

/// <summary>
/// Both decoders on hostile input: random, truncated and oversized bytes or text must end in
/// success or a <see cref="MultiaddrFormatException"/> — never another exception, a hang, or
/// a value that does not survive its own round trip.
/// </summary>
public class MultiaddrFuzzTests
{
    private static readonly string[] Seeds =
    [
        "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWCryG7Mon9orvQxcS1rYZjotPgpwoJNHHKcLLfE4Hf5mV",
        "/ip6/2601:9:4f81:9700:803e:ca65:66e8:c21/udp/1234/quic-v1/webtransport/certhash/uEiDDq4_xNyDorZBH3TlGazyJdOWSwvo4PUo5YHFMrvDE8g",
        "/dns4/bootstrap.libp2p.io/tcp/443/tls/sni/bootstrap.libp2p.io/ws",
        "/ip6zone/eth0/ip6/fe80::1/tcp/1/unix/a/b",
    ];

    [Fact]
    public void Random_bytes_decode_or_fail_with_a_format_error()
    {
        var random = new Random(1234);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length > 0)
            {
                // Bias towards known codes so the value checks are reached too.
                bytes[0] = (byte)random.GetItems<int>([4, 6, 41, 42, 53, 54, 0xa5, 0x90, 0xd2], 1)[0];
            }
            AssertDecodesSafely(bytes);
        }
    }

    [Fact]
    public void Every_truncation_and_bit_flip_of_valid_bytes_decodes_or_fails_cleanly()
    {
        var random = new Random(99);
        foreach (string seed in Seeds)
        {
            byte[] bytes = Multiaddr.Parse(seed).ToBytes();
            for (int length = 0; length < bytes.Length; length++)
            {
                AssertDecodesSafely(bytes.AsSpan(0, length).ToArray());
            }
            for (int i = 0; i < 2_000; i++)
            {
                byte[] mutated = (byte[])bytes.Clone();
                mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
                AssertDecodesSafely(mutated);
            }
        }
    }

    [Fact]
    public void Oversized_length_prefixes_fail_without_allocating_the_declared_size()
    {
        // /dns4 with a 9-byte varint length of 2^62.
        byte[] bytes = [54, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 1, 2, 3];
        var error = Assert.Throws<MultiaddrFormatException>(() => Multiaddr.FromBytes(bytes));
        Assert.Contains("declares", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_text_parses_or_fails_with_a_format_error()
    {
        var random = new Random(4321);
        const string alphabet = "/ip46tcudnsp2qwx0123456789.:abcdefQm-_%";
        for (int i = 0; i < 20_000; i++)
        {
            string text;
            if (i % 2 == 0)
            {
                string seed = Seeds[random.Next(Seeds.Length)];
                char[] chars = seed.ToCharArray();
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                text = new string(chars, 0, random.Next(chars.Length + 1));
            }
            else
            {
                text = new string(random.GetItems(alphabet.AsSpan(), random.Next(0, 40)));
            }
            try
            {
                var address = Multiaddr.Parse(text);
                Assert.Equal(address, Multiaddr.Parse(address.ToString()));
            }
            catch (MultiaddrFormatException)
            {
            }
        }
    }

    private static void AssertDecodesSafely(byte[] bytes)
    {
        if (!Multiaddr.TryFromBytes(bytes, out Multiaddr? address))
        {
            Assert.Throws<MultiaddrFormatException>(() => Multiaddr.FromBytes(bytes));
            return;
        }
        string text = address.ToString();
        Assert.Equal(address, Multiaddr.Parse(text));
        foreach (MultiaddrComponent component in address.Components)
        {
            _ = component.ValueString;
        }
    }
}
