// Each scenario floods a node on purpose; two at once would measure each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
