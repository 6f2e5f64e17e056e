using System.Buffers;
using Nnrp.Libp2p.WebSockets;

namespace Nnrp.Libp2p.Tests.WebSockets;

/// <summary>RFC 6455 §4: the HTTP/1.1 upgrade, as the server checks a request and the client checks the answer.</summary>
public sealed class UpgradeHandshakeTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static UpgradeHandshake.Head Head(string text)
    {
        var buffer = new ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes(text));
        Assert.True(UpgradeHandshake.TryReadHead(ref buffer, out UpgradeHandshake.Head? head));
        return head;
    }

    private static string Request(string extra = "", string line = "GET / HTTP/1.1", string version = "13", string key = Key) =>
        line + "\r\nHost: 127.0.0.1:4002\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n" +
        $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: {version}\r\n" + extra + "\r\n";

    private static int StatusFor(string request) =>
        Assert.Throws<WebSocketUpgradeException>(() => UpgradeHandshake.ValidateRequest(Head(request))).HttpStatus;

    [Fact]
    public void The_accept_value_is_the_rfc_example() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", UpgradeHandshake.AcceptFor(Key));

    [Fact]
    public void A_browser_style_request_is_accepted_and_its_key_returned() =>
        Assert.Equal(Key, UpgradeHandshake.ValidateRequest(Head(Request("Origin: https://wallet.example\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"))));

    [Fact]
    public void Our_request_passes_our_own_server_checks() =>
        Assert.Equal(Key, UpgradeHandshake.ValidateRequest(Head(System.Text.Encoding.ASCII.GetString(UpgradeHandshake.Request("[::1]:4002", Key)))));

    [Fact]
    public void A_plain_http_get_is_told_to_upgrade_with_426() =>
        Assert.Equal(426, StatusFor("GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"));

    [Fact]
    public void A_post_gets_426() => Assert.Equal(426, StatusFor(Request(line: "POST / HTTP/1.1")));

    [Fact]
    public void Another_websocket_version_gets_426() => Assert.Equal(426, StatusFor(Request(version: "8")));

    [Theory]
    [InlineData("short")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ")]
    [InlineData("dGhlIHNhbXBsZSBub25jZSEh")]
    public void A_key_that_is_not_16_bytes_of_base64_gets_400(string key) => Assert.Equal(400, StatusFor(Request(key: key)));

    [Theory]
    [InlineData("GET / HTTP/1.0")]
    [InlineData("GET /")]
    [InlineData("\u0016\u0003\u0001 hello")]
    public void A_malformed_request_line_gets_400(string line)
    {
        var buffer = new ReadOnlySequence<byte>(System.Text.Encoding.Latin1.GetBytes(Request(line: line)));
        var ex = Assert.Throws<WebSocketUpgradeException>(() =>
        {
            Assert.True(UpgradeHandshake.TryReadHead(ref buffer, out UpgradeHandshake.Head? head));
            UpgradeHandshake.ValidateRequest(head);
        });
        Assert.Equal(400, ex.HttpStatus);
    }

    [Fact]
    public void A_folded_header_line_gets_400() => Assert.Equal(400, Assert.Throws<WebSocketUpgradeException>(() => Head(Request(" folded: value\r\n"))).HttpStatus);

    [Fact]
    public void A_head_that_outgrows_the_limit_is_refused_before_its_end_arrives()
    {
        var buffer = new ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX: " + new string('a', UpgradeHandshake.MaxHeadBytes)));
        Assert.Equal(431, Assert.Throws<WebSocketUpgradeException>(() => UpgradeHandshake.TryReadHead(ref buffer, out _)).HttpStatus);
    }

    [Fact]
    public void An_incomplete_head_asks_for_more_and_leaves_the_buffer()
    {
        var buffer = new ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n"));
        Assert.False(UpgradeHandshake.TryReadHead(ref buffer, out _));
        Assert.Equal(25, buffer.Length);
    }

    [Fact]
    public void Bytes_after_the_head_stay_in_the_buffer()
    {
        var buffer = new ReadOnlySequence<byte>(System.Text.Encoding.ASCII.GetBytes(Request() + "\u0082\u0000"));
        Assert.True(UpgradeHandshake.TryReadHead(ref buffer, out _));
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void The_client_accepts_the_servers_101()
    {
        UpgradeHandshake.Head response = Head(System.Text.Encoding.ASCII.GetString(UpgradeHandshake.SwitchingProtocols(Key)));
        UpgradeHandshake.ValidateResponse(response, Key);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", "200 OK")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n", "Accept")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", "Upgrade")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", "extension")]
    public void The_client_refuses_anything_but_a_matching_101(string response, string reason)
    {
        var ex = Assert.Throws<WebSocketUpgradeException>(() => UpgradeHandshake.ValidateResponse(Head(response), Key));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_refusal_is_a_complete_http_response_that_closes()
    {
        string text = System.Text.Encoding.ASCII.GetString(UpgradeHandshake.Refusal(426, "not a WebSocket upgrade"));
        Assert.StartsWith("HTTP/1.1 426 Upgrade Required\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nUpgrade: websocket\r\n", text, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nnot a WebSocket upgrade\n", text, StringComparison.Ordinal);
    }
}
