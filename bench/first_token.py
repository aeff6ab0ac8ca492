"""Benchmark: what the gateway adds to a model's time to first token.

A scripted OpenAI-compatible model on loopback (tests/support/model_server.py) answers every
request with the same streamed reply. Rounds interleave two measurements:

- direct: a Chat Completions request straight to the scripted model (the body the gateway
  sends on a first turn, over keep-alive), timed to its first content chunk: the model's own
  latency as a client sees it;
- new thread: `threads.create` with plain text through POST /chatkit on the gateway under
  uvicorn (SQLite store, the todo server's 7 tools offered to the model), timed to the first
  `assistant_message.content_part.text_delta` event: a history of one message;
- long thread: `threads.add_user_message` on one thread that has had every earlier round, so
  the model is sent a full history (`history_items`, 40 by default).

The difference is what the gateway adds before the first token: storing the user message,
loading history, building the agent and its tools, the openai-agents loop and the SDK's
event pipeline. Each stream is read to its end before the next request.

    .venv/bin/python -m bench.first_token [--rounds 200] [--delay-ms 0]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import httpx2

from bench.endpoint import percentile
from tests.support.gateway import local_config, running_gateway, user_input, write_config
from tests.support.model_server import ScriptedModel, Step

REPLY = "Here is what I found: three open tasks, the first due tomorrow."


def first_delta_ms(http: httpx2.Client, path: str, body: dict[str, object], marker: bytes) -> float:
    """Milliseconds from sending `body` to the first line holding `marker`; reads the stream to its end."""
    start = time.perf_counter()
    first: float | None = None
    with http.stream("POST", path, json=body) as response:
        for line in response.iter_lines():
            if first is None and marker in line.encode():
                first = (time.perf_counter() - start) * 1000
    if first is None:
        raise RuntimeError(f"no {marker!r} in the stream from {path}")
    return first


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="the scripted model's own latency")
    args = parser.parse_args()

    model = ScriptedModel([Step(text=REPLY, stream=None, repeat=True, delay=args.delay_ms / 1000)]).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            section = {"model": "scripted", "base_url": model.url, "api_key": "k", "retries": 0}
            config = write_config(Path(tmp) / "config.yaml", local_config(Path(tmp), model=section))
            with (
                running_gateway(config) as gateway,
                httpx2.Client(base_url=gateway.url, timeout=60) as chat,
                httpx2.Client(base_url=model.url.removesuffix("/v1"), timeout=60) as direct,
            ):
                created = chat.post(
                    "/chatkit", json={"type": "threads.create", "params": {"input": user_input("hello")}}
                )
                thread_id = json.loads(created.text.split("\n\n")[0].removeprefix("data: "))["thread"]["id"]
                direct_body = model.requests[0]  # what the gateway sent on its first turn
                timings: dict[str, list[float]] = {"direct": [], "new thread": [], "long thread": []}
                for round_ in range(args.warmup + args.rounds):
                    d = first_delta_ms(direct, "/v1/chat/completions", direct_body, b'"content": "Her')
                    new = {"type": "threads.create", "params": {"input": user_input(f"question {round_}")}}
                    n = first_delta_ms(chat, "/chatkit", new, b"text_delta")
                    turn = {
                        "type": "threads.add_user_message",
                        "params": {"thread_id": thread_id, "input": user_input(f"question {round_}")},
                    }
                    g = first_delta_ms(chat, "/chatkit", turn, b"text_delta")
                    if round_ >= args.warmup:
                        timings["direct"].append(d)
                        timings["new thread"].append(n)
                        timings["long thread"].append(g)
    finally:
        model.stop()

    print(f"time to first token, {args.rounds} rounds, scripted model delay {args.delay_ms:g} ms")
    print(f"{'':12} {'p50 ms':>8} {'p99 ms':>8} {'added p50':>10} {'added p99':>10}")
    for name, values in timings.items():
        added = [v - d for v, d in zip(values, timings["direct"], strict=True)]
        print(
            f"{name:12} {percentile(values, 50):8.2f} {percentile(values, 99):8.2f}"
            f" {percentile(added, 50):10.2f} {percentile(added, 99):10.2f}"
        )
    print("added: the round's time minus the same round's direct request")


if __name__ == "__main__":
    main()
