namespace Nnrp.Adversary.Tests;

/// <summary>
/// The adversary harness (issue 12): one scenario class per attack, each run against real
/// `nnrp node` processes or real hosts on loopback, each asserting what an honest peer still
/// gets. Fast scenarios run in <c>make test</c>; those marked <c>[Trait(Scenario.Category,
/// Scenario.Long)]</c> run only in <c>make adversary</c>, outside CI.
/// </summary>
internal static class Scenario
{
    public const string Category = "Category";

    public const string Long = "Long";
}
