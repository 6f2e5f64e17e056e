namespace Nnrp.Node.Storage;

/// <summary>
/// The store could not read or write (disk full, I/O error, RocksDB corruption, closed).
/// Ingress answers INTERNAL and acknowledges nothing; the data already on disk is untouched.
/// </summary>
public sealed class StoreUnavailableException : IOException
{
    public StoreUnavailableException(string message) : base(message) { }

    public StoreUnavailableException(string message, Exception inner) : base(message, inner) { }
}
