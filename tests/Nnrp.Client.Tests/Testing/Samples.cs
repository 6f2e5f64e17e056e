using Nnrp.Client.Keys;
using Nnrp.Core.Codecs;
using Nnrp.Core.Keys;
using Nnrp.Core.Notifications;
using Nnrp.Core.Sealing;

namespace Nnrp.Client.Tests.Testing;

/// <summary>Keys, events and notifications the tests share (values from NNRP.md §9 and §13).</summary>
internal static class Samples
{
    /// <summary>The seed 00 01 … 1f of NNRP.md §9.</summary>
    public const string SeedHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    /// <summary>§9: the public key at index 0.</summary>
    public const string SeedKeyHex = "716dd5a590fa6546b065f59f1078cd4cfd6df32203a03141df5f4b85d1fe8505";

    /// <summary>§9: its recipient tag.</summary>
    public const string SeedTagHex = "f687b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01";

    /// <summary>§13: the URI of that key.</summary>
    public const string SeedUri = "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7";

    /// <summary>§13: a NanoNym v2 with B_spend = 32×11, B_view = 32×22 and that URI.</summary>
    public const string SeedNanoNym = "nnym_1aaj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj4aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj411wpwumkg1x54xu6est91tum8fwptfu3gjs5is5reox5aeuqeot8tgdresrq8tsp87w54g3q87w9kwdnejnq4rdth1sp4fufqiu3oqi";

    /// <summary>An easy threshold (about 256 hashes) so tests do real work quickly.</summary>
    public const ulong EasyThreshold = 0xff00000000000000UL;

    public static NotificationKeyPair SeedKey => WalletKeys.FromSeed(SeedHex, 0);

    public static PaymentEvent Event(int n = 1, string? memo = null) =>
        new(new string((char)('a' + (n % 6)), 64), Hex.Encode(BitConverter.GetBytes((long)n)).PadLeft(64, '0'), n.ToString(System.Globalization.CultureInfo.InvariantCulture), memo);

    /// <summary>A sealed notification to <paramref name="key"/> with work meeting <see cref="EasyThreshold"/>.</summary>
    public static Notification Sealed(NotificationKeyPair key, PaymentEvent paymentEvent, ulong timestamp = 1_767_225_600)
    {
        Notification n = NotificationSealer.SealPaymentEvent(key.PublicKey, paymentEvent, timestamp);
        return WithEasyWork(n);
    }

    /// <summary>The notification with the first work ≥ <see cref="EasyThreshold"/>.</summary>
    public static Notification WithEasyWork(Notification n)
    {
        for (ulong work = 0; ; work++)
        {
            Notification candidate = n.WithWork(work);
            if (candidate.MeetsThreshold(EasyThreshold))
            {
                return candidate;
            }
        }
    }
}
