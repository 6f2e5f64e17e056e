// Each interop class starts its own node processes; running classes one at a time keeps two
// cores from being shared by a dozen js peers at once.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
