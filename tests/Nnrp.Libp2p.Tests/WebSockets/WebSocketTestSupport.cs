using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Nnrp.Libp2p.Addressing;
using Nnrp.Libp2p.Transport;
using Nnrp.Libp2p.WebSockets;

namespace Nnrp.Libp2p.Tests.WebSockets;

/// <summary>Loopback WebSocket listeners, dialers, a self-signed certificate and a raw socket for hostile bytes.</summary>
internal static class WebSocketTestSupport
{
    public static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    public static WebSocketTransport NewTransport(WebSocketTransportOptions? options = null) =>
        new(options ?? new WebSocketTransportOptions(), new TcpTransportOptions(), NullLoggerFactory.Instance);

    /// <summary>A certificate for 127.0.0.1 and localhost, with its private key.</summary>
    public static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
    }

    /// <summary>A dialer that trusts exactly <paramref name="certificate"/>.</summary>
    public static WebSocketTransportOptions Trusting(X509Certificate2 certificate) => new()
    {
        RemoteCertificateValidation = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
    };

    public static async Task<(ITransportConnection Client, ITransportConnection Server)> ConnectAsync(
        ITransportListener listener, WebSocketTransport dialer, Multiaddr? target = null)
    {
        Task<ITransportConnection> accept = AcceptStartedAsync(listener);
        ITransportConnection client = await dialer.DialAsync(target ?? listener.ListenAddress, CancellationToken.None).WaitAsync(Generous);
        ITransportConnection server = await accept.WaitAsync(Generous);
        return (client, server);
    }

    /// <summary>The next inbound connection, put to use so its upgrade runs (the host does this by reading).</summary>
    public static async Task<ITransportConnection> AcceptStartedAsync(ITransportListener listener)
    {
        ITransportConnection connection = (await listener.AcceptAsync(CancellationToken.None))!;
        _ = connection.Input;
        return connection;
    }

    public static int PortOf(ITransportListener listener) =>
        listener.ListenAddress.TryGetIPEndPoint(out IPEndPoint? ep) ? ep.Port : throw new InvalidOperationException("no port");

    public static async Task<Socket> RawConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Generous);
        return socket;
    }

    /// <summary>Everything the peer sends until it closes (or resets after sending).</summary>
    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var limit = new CancellationTokenSource(Generous);
        var all = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, limit.Token)) > 0)
            {
                all.Write(buffer, 0, n);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        return all.ToArray();
    }

    public static string Ascii(byte[] bytes) => System.Text.Encoding.ASCII.GetString(bytes);

    public static byte[] UpgradeRequest(string key = "dGhlIHNhbXBsZSBub25jZQ==") => System.Text.Encoding.ASCII.GetBytes(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n");

    /// <summary>Upgrades a raw socket as a client would and reads the 101 head off it.</summary>
    public static async Task<Socket> RawUpgradedAsync(int port)
    {
        Socket socket = await RawConnectAsync(port);
        await socket.SendAsync(UpgradeRequest(), SocketFlags.None);
        var head = new List<byte>();
        var one = new byte[1];
        using var limit = new CancellationTokenSource(Generous);
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, limit.Token) == 0)
            {
                throw new IOException("closed during the upgrade: " + System.Text.Encoding.ASCII.GetString(head.ToArray()));
            }
            head.Add(one[0]);
        }
        Assert.StartsWith("HTTP/1.1 101 ", System.Text.Encoding.ASCII.GetString(head.ToArray()), StringComparison.Ordinal);
        return socket;
    }

    /// <summary>A FIN frame as a client sends it: masked with <paramref name="key"/> (or unmasked when null).</summary>
    public static byte[] Frame(byte opcode, byte[] payload, byte[]? key, bool fin = true)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        byte maskBit = key is null ? (byte)0 : (byte)0x80;
        if (payload.Length < 126)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            for (int shift = 56; shift >= 0; shift -= 8)
            {
                frame.Add((byte)((long)payload.Length >> shift));
            }
        }
        if (key is not null)
        {
            frame.AddRange(key);
        }
        for (int i = 0; i < payload.Length; i++)
        {
            frame.Add(key is null ? payload[i] : (byte)(payload[i] ^ key[i % 4]));
        }
        return frame.ToArray();
    }
}
