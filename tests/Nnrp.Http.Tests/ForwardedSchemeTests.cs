using System.Net;
using Microsoft.AspNetCore.Http;

namespace Nnrp.Http.Tests;

/// <summary>The scheme behind trusted proxies: taken with the client address from the same hop, never from strangers.</summary>
public sealed class ForwardedSchemeTests
{
    private static readonly ForwardedClientAddress Proxies = new(["10.0.0.0/8"]);

    [Fact]
    public void Forwarded_proto_of_the_element_naming_the_client_is_the_scheme()
    {
        var headers = new HeaderDictionary { ["Forwarded"] = "for=198.51.100.7;proto=https" };
        Assert.Equal((IPAddress.Parse("198.51.100.7"), "https"), Proxies.Resolve(IPAddress.Parse("10.0.0.2"), headers));
    }

    [Fact]
    public void X_Forwarded_Proto_is_matched_to_X_Forwarded_For_from_the_right()
    {
        // client → proxy 10.0.0.9 (TLS) → proxy 10.0.0.2 (plain) → node
        var headers = new HeaderDictionary { ["X-Forwarded-For"] = "198.51.100.7, 10.0.0.9", ["X-Forwarded-Proto"] = "https, http" };
        Assert.Equal((IPAddress.Parse("198.51.100.7"), "https"), Proxies.Resolve(IPAddress.Parse("10.0.0.2"), headers));
    }

    [Fact]
    public void A_stranger_cannot_claim_https()
    {
        var headers = new HeaderDictionary { ["X-Forwarded-For"] = "198.51.100.7", ["X-Forwarded-Proto"] = "https" };
        Assert.Equal((IPAddress.Parse("192.0.2.1"), (string?)null), Proxies.Resolve(IPAddress.Parse("192.0.2.1"), headers));
    }

    [Fact]
    public void Only_http_and_https_are_taken_as_schemes()
    {
        var headers = new HeaderDictionary { ["Forwarded"] = "for=198.51.100.7;proto=javascript" };
        Assert.Null(Proxies.Resolve(IPAddress.Parse("10.0.0.2"), headers).Scheme);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_request_is_https()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.2");
        context.Request.Headers["X-Forwarded-For"] = "198.51.100.7";
        context.Request.Headers["X-Forwarded-Proto"] = "https";
        bool? seen = null;

        await Proxies.InvokeAsync(context, c => { seen = c.Request.IsHttps; return Task.CompletedTask; });

        Assert.True(seen);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), context.Connection.RemoteIpAddress);
    }
}
