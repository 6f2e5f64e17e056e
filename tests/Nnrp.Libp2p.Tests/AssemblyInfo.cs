// Test classes run in parallel by class; nothing shares state across classes.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass)]
