using System.Text;
using Nnrp.Client.Keys;
using Nnrp.Client.Tests.Testing;
using Nnrp.Core;
using Nnrp.Core.Codecs;

namespace Nnrp.Client.Tests.Keys;

/// <summary>Key files: JSON with the private key, public key and URI, mode 0600.</summary>
public sealed class KeyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("nnrp-keys-").FullName;

    [Fact]
    public async Task A_saved_key_file_is_owner_only_and_loads_back_to_the_same_key()
    {
        string path = Path.Combine(_dir, "wallet.key");
        await new NotificationKeyFile(Samples.SeedKey, seedIndex: 0).SaveAsync(path);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        string text = await File.ReadAllTextAsync(path);
        Assert.Contains(Samples.SeedUri, text, StringComparison.Ordinal);
        Assert.Contains(Samples.SeedKeyHex, text, StringComparison.Ordinal);
        Assert.Contains("private_key", text, StringComparison.Ordinal);

        NotificationKeyFile loaded = await NotificationKeyFile.LoadAsync(path);
        Assert.Equal(Samples.SeedKey.PrivateKey.ToArray(), loaded.Key.PrivateKey.ToArray());
        Assert.Equal(0u, loaded.SeedIndex);
        Assert.Equal(Samples.SeedUri, loaded.Uri);
    }

    [Fact]
    public async Task An_existing_key_file_is_not_overwritten_unless_asked()
    {
        string path = Path.Combine(_dir, "wallet.key");
        await new NotificationKeyFile(WalletKeys.Generate()).SaveAsync(path);
        await Assert.ThrowsAsync<IOException>(() => new NotificationKeyFile(WalletKeys.Generate()).SaveAsync(path));
        await new NotificationKeyFile(Samples.SeedKey).SaveAsync(path, overwrite: true);
        Assert.Equal(Samples.SeedUri, (await NotificationKeyFile.LoadAsync(path)).Uri);
    }

    [Fact]
    public async Task A_key_file_readable_by_others_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        string path = Path.Combine(_dir, "wallet.key");
        await new NotificationKeyFile(Samples.SeedKey).SaveAsync(path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = await Assert.ThrowsAsync<NnrpClientException>(() => NotificationKeyFile.LoadAsync(path));
        Assert.Contains("chmod 600", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_key_that_does_not_belong_to_the_private_key_is_refused()
    {
        string json = Encoding.UTF8.GetString(new NotificationKeyFile(Samples.SeedKey).ToJson())
            .Replace(Samples.SeedKeyHex, Hex.Encode(WalletKeys.Generate().PublicKey), StringComparison.Ordinal);
        var e = Assert.Throws<NnrpFormatException>(() => NotificationKeyFile.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains("public_key", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"version\":2,\"private_key\":\"00\"}")]
    [InlineData("{\"version\":1,\"private_key\":\"abcd\"}")]
    [InlineData("{\"version\":1,\"private_key\":7}")]
    [InlineData("{\"version\":1.5}")]
    public void Malformed_key_files_are_refused_with_a_format_error(string json)
    {
        Assert.ThrowsAny<NnrpFormatException>(() => NotificationKeyFile.Parse(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Random_truncated_and_oversized_key_files_give_a_format_error_never_a_crash()
    {
        var random = new Random(7);
        byte[] valid = new NotificationKeyFile(Samples.SeedKey, 3).ToJson();
        for (int i = 0; i < 500; i++)
        {
            byte[] input = (i % 3) switch
            {
                0 => valid[..random.Next(valid.Length)],
                1 => Mutate(valid, random),
                _ => RandomBytes(random, random.Next(0, 300)),
            };
            try
            {
                NotificationKeyFile.Parse(input);
            }
            catch (NnrpFormatException)
            {
            }
        }
        Assert.ThrowsAny<NnrpFormatException>(() => NotificationKeyFile.Parse(new byte[NotificationKeyFile.MaxSize + 1]));
    }

    internal static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] copy = (byte[])valid.Clone();
        copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    internal static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
