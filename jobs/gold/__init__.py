"""Gold: the aggregates the service reads, rebuilt in full from silver each run (they are small)."""
