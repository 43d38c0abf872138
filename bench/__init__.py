"""Benchmarks: `make bench` (python -m bench). Each prints its figures; targets are checked here, not in tests."""
