"""Benchmarks: make bench-etl (etl), make bench-service (service), make bench-chat (chat)."""
