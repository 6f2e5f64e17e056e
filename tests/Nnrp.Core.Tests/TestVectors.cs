namespace Nnrp.Core.Tests;

/// <summary>
/// Values computed independently of this code base by Python 3 (hashlib.blake2b, hashlib.sha256,
/// cryptography's X25519, and a 10-line Nano base32): seed 00..1f, index 0 and 7, and the
/// example notification of NNRP.md §13.
/// </summary>
internal static class TestVectors
{
    public static readonly byte[] Seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    public const string Key0Private = "7879813df80592812cb52e3e85e2f41dd58c01df5fdaaf0052a8460049b920ba";
    public const string Key0Public = "716dd5a590fa6546b065f59f1078cd4cfd6df32203a03141df5f4b85d1fe8505";
    public const string Key0Tag = "f687b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01";
    public const string Key0Uri = "nnrp:1wdftpks3ym7atr8dxez43wetm9xfqsk61x1871xyqtdiqazx3a7";

    public const string Key7Private = "28d8aeee7623d4f0db7477d0bbab8310d153913191538eef3825ba4abc18cab1";
    public const string Key7Public = "4a1fe48f33a4495e6191573baeb829fdb3cadb81f0163ae4ad8777f3b40e2b75";
    public const string Key7Tag = "ba0d586a42c93a54975c4bcaa7bf96efefb6975e9cbb98a64bb3cfd540fb085e";

    // Example notification: tag of key 0, timestamp 1767225600 (2026-01-01T00:00:00Z), ttl 90 days, payload 00..3f.
    public const ulong ExampleTimestamp = 1767225600;
    public const uint ExampleTtl = 7776000;
    public static readonly byte[] ExamplePayload = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
    public const string ExamplePreimage =
        "01f687b42ae1eda95a34f7db861de181734d2f93af77d2707a595b2c414504db01000000006955b9000076a700" +
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
    public const string ExampleHash = "bf84563fd1c9157e26d25df5236194e0a0b30af107c49b85e995d549655582de";
    public const string ExampleRelayAddress = "nr_3hw6crzx5kaohrmf6qho6fisbr71pe7h43y6mg4ym7gob7kod1py";

    // NanoNym v2 with B_spend = 11×32, B_view = 22×32, URI = Key0Uri.
    public const string ExampleNanoNym =
        "nnym_1aaj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj4aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj46aj411wpwumkg1x54xu6est91tum8fwptfu3gjs5is5reox5aeuqeot8tgdresrq8tsp87w54g3q87w9kwdnejnq4rdth1sp4fufqiu3oqi";

    public static byte[] FromHex(string hex) => Convert.FromHexString(hex);
}
