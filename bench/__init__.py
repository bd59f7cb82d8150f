"""Benchmarks that print figures: `make bench` (bench/run.py) runs them all; see bench/README.md."""
