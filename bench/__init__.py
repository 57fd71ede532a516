"""Benchmarks: `make bench` (python -m bench). Timings live here, never in the tests."""
