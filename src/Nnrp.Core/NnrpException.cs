namespace Nnrp.Core;

/// <summary>
/// Base type of every error Nnrp.Core raises on bad input. Core never throws a bare
/// <see cref="Exception"/>, <see cref="ArgumentException"/> or an index/overflow error for
/// data that came from outside: a caller that catches this type has caught every refusal.
/// </summary>
public abstract class NnrpException : Exception
{
    protected NnrpException(string message) : base(message) { }

    protected NnrpException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Input does not follow an NNRP encoding rule (base32 alphabet, checksum, length, JSON
/// shape, protobuf framing). The message names the rule; nothing about the input is trusted.
/// </summary>
public class NnrpFormatException : NnrpException
{
    public NnrpFormatException(string message) : base(message) { }

    public NnrpFormatException(string message, Exception inner) : base(message, inner) { }
}
