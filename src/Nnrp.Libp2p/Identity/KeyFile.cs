using System.Security.Cryptography;

namespace Nnrp.Libp2p.Identity;

/// <summary>
/// The identity key file: a libp2p <c>PrivateKey</c> protobuf, mode 0600 in a 0700 directory.
/// Creation writes a temporary file and renames it into place, so a crash never leaves a
/// half-written key, and two processes racing to create it end up sharing the winner's key.
/// </summary>
internal static class KeyFile
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static KeyPair LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        path = Path.GetFullPath(path);
        if (File.Exists(path))
        {
            return Load(path);
        }
        string directory = Path.GetDirectoryName(path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        }

        var created = KeyPair.Generate();
        byte[] bytes = created.ToPrivateKeyProtobuf();
        string temp = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnlyFile;
            }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: false);
            return created;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created the key first: use theirs, so both agree on one identity.
            created.Dispose();
            return Load(path);
        }
        catch
        {
            created.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
            File.Delete(temp);
        }
    }

    public static KeyPair Load(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
            {
                throw new InsecureKeyFileException(path, mode);
            }
        }
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return KeyPair.FromPrivateKeyProtobuf(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
