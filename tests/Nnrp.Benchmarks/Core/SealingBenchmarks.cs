using BenchmarkDotNet.Attributes;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;

namespace Nnrp.Benchmarks.Core;

/// <summary>HPKE seal and open of a typical payment event, plus the content hash and codecs.</summary>
[MemoryDiagnoser]
public class SealingBenchmarks
{
    private NotificationKeyPair _keys = null!;
    private PaymentEvent _event = null!;
    private Notification _sealed = null!;
    private byte[] _protobuf = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = NotificationKeys.Derive(new byte[32], 0);
        _event = new PaymentEvent(new string('a', 64), new string('b', 64), "1000000000000000000000000000000", "invoice 42");
        _sealed = NotificationSealer.SealPaymentEvent(_keys.PublicKey, _event, 1_767_225_600);
        _protobuf = NotificationProtobuf.Encode(_sealed);
    }

    [Benchmark(Description = "HPKE seal payment event")]
    public Notification Seal() => NotificationSealer.SealPaymentEvent(_keys.PublicKey, _event, 1_767_225_600);

    [Benchmark(Description = "HPKE open payment event")]
    public PaymentEvent Open() => NotificationSealer.OpenPaymentEvent(_keys.PrivateKey, _sealed);

    [Benchmark(Description = "content hash (BLAKE2b-256, ~200 B)")]
    public NotificationHash Hash() => Notification.ComputeHash(_sealed.Version, _sealed.RecipientTag, _sealed.Timestamp, _sealed.Ttl, _sealed.Payload.Span);

    [Benchmark(Description = "protobuf decode + validate")]
    public bool DecodeValidate() => NotificationProtobuf.Decode(_protobuf).Validate(1_767_225_600).IsValid;
}
