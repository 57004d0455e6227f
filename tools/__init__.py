"""Developer tools — data generator, benchmarks, load tests; not part of the product."""
