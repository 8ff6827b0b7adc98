"""Throughput benchmarks: Pingyi's write, relay and consume paths against raw PostgreSQL
and raw JetStream doing the same work. Run `python -m bench.run` from the repository root."""
