namespace Nnrp.Client;

/// <summary>
/// An operation of the wallet SDK failed for a reason outside the caller's arguments: too few
/// nodes stored a notification, a work server failed, a key file is unsafe. The message says
/// what happened and what to try.
/// </summary>
public class NnrpClientException : Exception
{
    /// <summary>An error with a message.</summary>
    public NnrpClientException(string message) : base(message) { }

    /// <summary>An error with a message and its cause.</summary>
    public NnrpClientException(string message, Exception inner) : base(message, inner) { }
}
