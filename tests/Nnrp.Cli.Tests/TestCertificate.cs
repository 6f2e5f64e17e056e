using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nnrp.Cli.Tests;

/// <summary>A self-signed certificate for localhost and 127.0.0.1 made by the test, as PEM files and in memory.</summary>
public sealed class TestCertificate : IDisposable
{
    private TestCertificate(X509Certificate2 certificate, string certPath, string keyPath)
    {
        Certificate = certificate;
        CertPath = certPath;
        KeyPath = keyPath;
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate as a PEM file.</summary>
    public string CertPath { get; }

    /// <summary>Its private key as a PEM (PKCS#8) file.</summary>
    public string KeyPath { get; }

    /// <summary>Makes a certificate valid for a day and writes <c>&lt;name&gt;.crt</c> and <c>&lt;name&gt;.key</c> into <paramref name="directory"/>.</summary>
    public static TestCertificate Create(string directory, string name = "node")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string certPath = Path.Combine(directory, name + ".crt"), keyPath = Path.Combine(directory, name + ".key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return new TestCertificate(certificate, certPath, keyPath);
    }

    /// <summary>An HTTP handler that trusts exactly this certificate (and nothing else unknown).</summary>
    public HttpClientHandler TrustingHandler() => new()
    {
        ServerCertificateCustomValidationCallback = (_, presented, _, errors) =>
            errors == System.Net.Security.SslPolicyErrors.None || presented?.Thumbprint == Certificate.Thumbprint,
    };

    public void Dispose() => Certificate.Dispose();
}
