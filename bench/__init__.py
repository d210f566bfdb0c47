"""Benchmarks and load tools. They measure; they never assert a duration."""
