using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nnrp.Browser.Tests;

/// <summary>
/// A self-signed server certificate for 127.0.0.1 and localhost, written as PEM files (the
/// form the node's <c>--tls-cert</c> / <c>--tls-key</c> settings read) and kept as an
/// <see cref="X509Certificate2"/> for the test's own Kestrel. The browser is told to accept it
/// (Playwright's <c>ignoreHTTPSErrors</c>); nothing is installed in a trust store.
/// </summary>
internal sealed class TestCertificate : IDisposable
{
    private TestCertificate(X509Certificate2 certificate, string certPath, string keyPath)
    {
        Certificate = certificate;
        CertPath = certPath;
        KeyPath = keyPath;
    }

    public X509Certificate2 Certificate { get; }

    public string CertPath { get; }

    public string KeyPath { get; }

    public static TestCertificate Create(string folder)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=nnrp browser test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 made = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        string certPath = Path.Combine(folder, "node.crt.pem");
        string keyPath = Path.Combine(folder, "node.key.pem");
        File.WriteAllText(certPath, made.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        // Kestrel on Linux wants a certificate whose key is not ephemeral: reload it from the PEM files.
        return new TestCertificate(X509Certificate2.CreateFromPemFile(certPath, keyPath), certPath, keyPath);
    }

    public void Dispose() => Certificate.Dispose();
}
