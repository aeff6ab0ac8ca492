"""`python -m bench`: every benchmark, one after another (each prints its own table)."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = [
    "bench.endpoint",
    "bench.turn",
    "bench.first_token",
    "bench.store_pages",
    "bench.mcpo",
    "bench.concurrency",
    "bench.rss",
    "bench.server_floor",
    "bench.store_ops",
    "bench.turn_scaling",
    "bench.cli_start",
]


def main() -> int:
    """Run each benchmark module in its own process; return the first failure's code."""
    for module in BENCHMARKS:
        print(f"\n== {module}", flush=True)
        code = subprocess.call([sys.executable, "-m", module, *sys.argv[1:]])
        if code:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
