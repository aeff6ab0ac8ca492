"""Benchmark: what POST /chatkit adds to the work it routes.

`threads.create` through the gateway under uvicorn, against a plain FastAPI app under uvicorn
that returns the very same SSE bytes, requests interleaved in one run so both see the same
machine. Reports p50/p99 of both and their ratio (target: within 2x).

    .venv/bin/python -m bench.endpoint [--requests 400] [--message "/help"]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2

from bench.support import percentile
from tests.support.gateway import local_config, running_gateway, user_input, write_config
from tests.support.net import free_port, wait_until_listening

PLAIN_APP = """
import os
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
BODY = open(os.environ["BODY_PATH"], "rb").read()
app = FastAPI()
async def chunks():
    for part in BODY.split(b"\\n\\n")[:-1]:
        yield part + b"\\n\\n"
@app.post("/chatkit")
async def chatkit():
    return StreamingResponse(chunks(), media_type="text/event-stream")
"""


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--message", default="/help")
    args = parser.parse_args()
    body = json.dumps({"type": "threads.create", "params": {"input": user_input(args.message)}})

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        config = write_config(tmp_path / "config.yaml", local_config(tmp_path))
        with running_gateway(config) as gateway:
            sample = httpx2.post(
                f"{gateway.url}/chatkit",
                content=body,
                headers={"Content-Type": "application/json"},
                timeout=30,
            ).content
            (tmp_path / "body.sse").write_bytes(sample)
            (tmp_path / "plain.py").write_text(PLAIN_APP)
            port = free_port()
            plain_log = tmp_path / "plain.log"
            plain = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "plain:app",
                    "--app-dir",
                    str(tmp_path),
                    "--port",
                    str(port),
                    "--log-level",
                    "info",
                    "--no-access-log",
                ],
                cwd=tmp_path,
                env={**os.environ, "BODY_PATH": str(tmp_path / "body.sse")},
                stdout=plain_log.open("wb"),
                stderr=subprocess.STDOUT,
            )
            try:
                wait_until_listening(port, log=plain_log, process=plain)
                timings: dict[str, list[float]] = {"gateway": [], "plain": []}
                targets = {
                    "gateway": httpx2.Client(base_url=gateway.url, timeout=30),
                    "plain": httpx2.Client(base_url=f"http://127.0.0.1:{port}", timeout=30),
                }
                for i in range(args.warmup + args.requests):
                    for name, client in targets.items():
                        start = time.perf_counter()
                        response = client.post(
                            "/chatkit", content=body, headers={"Content-Type": "application/json"}
                        )
                        response.read()
                        elapsed = time.perf_counter() - start
                        assert response.status_code == 200, response.text
                        if i >= args.warmup:
                            timings[name].append(elapsed * 1000)
            finally:
                plain.terminate()
                plain.wait()
    report(timings, len(sample))


def report(timings: dict[str, list[float]], size: int) -> None:
    """Print p50/p99 per target and the ratio."""
    print(
        f"threads.create round trip, {len(timings['gateway'])} interleaved requests each, {size} response bytes"
    )
    print(f"{'target':<10}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}")
    for name, values in timings.items():
        print(
            f"{name:<10}{percentile(values, 50):>10.3f}{percentile(values, 99):>10.3f}{statistics.fmean(values):>10.3f}"
        )
    ratio50 = percentile(timings["gateway"], 50) / percentile(timings["plain"], 50)
    ratio99 = percentile(timings["gateway"], 99) / percentile(timings["plain"], 99)
    print(f"ratio gateway/plain: p50 {ratio50:.2f}x, p99 {ratio99:.2f}x (target: within 2x)")


if __name__ == "__main__":
    main()
