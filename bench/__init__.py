"""Benchmarks: run each as `.venv/bin/python -m bench.<name>` from the project root (see README.md)."""
