using Google.Protobuf;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.AutoNat;
using Nnrp.Libp2p.AutoNat.Protobuf;
using Nnrp.Libp2p.Encoding;
using Nnrp.Libp2p.Host;
using Nnrp.Libp2p.Identity;

namespace Nnrp.Libp2p.Tests.AutoNat;

/// <summary>A dial-request stream driven by hand, to see exactly what a server sends.</summary>
internal static class RawDialRequest
{
    public static Task<Libp2pStream> OpenAsync(Libp2pHost from, PeerId server) =>
        from.NewStreamAsync(server, [AutoNatProtocol.DialRequest], CancellationToken.None);

    public static async Task SendAsync(Libp2pStream stream, params Multiaddr[] addresses)
    {
        var request = new DialRequest { Nonce = 42 };
        request.Addrs.AddRange(addresses.Select(static a => ByteString.CopyFrom(a.ToBytes())));
        await AutoNatCodec.WriteAsync(stream.Output, new Message { DialRequest = request }, CancellationToken.None);
    }

    public static async Task SendBytesAsync(Libp2pStream stream, byte[] body) =>
        await LengthPrefixed.WriteAsync(stream.Output, body, CancellationToken.None);

    public static async Task<Message> ReadAsync(Libp2pStream stream) =>
        await AutoNatCodec.ReadAsync(stream.Input, Message.Parser, CancellationToken.None).AsTask().WaitAsync(Host.Hosts.WaitLimit)
        ?? throw new IOException("the server closed the stream without a message");
}
