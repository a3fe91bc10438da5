"""Benchmarks for the figures issue 3 promises: ``python -m bench`` (see README.md)."""
