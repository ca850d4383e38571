"""Benchmarks: run from the project root, e.g. `python -m bench.report_flow` (see bench/README.md)."""
