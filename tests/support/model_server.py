"""A scripted OpenAI-compatible model on loopback: the one part of the stack the tests fake.

It speaks the Chat Completions API (`POST /v1/chat/completions`, streaming and not), so the
real `openai` client and the real openai-agents loop run against it unchanged. Each request
takes the next `Step` of the script, which may check what the gateway sent and says what to
answer: text (streamed in small pieces), tool calls (their arguments split across chunks),
an HTTP error, a malformed body, a stream cut off midway or held open. Usage arrives in its
own chunk, as OpenAI sends it with `stream_options.include_usage`.

It fails loudly, like openai-agents' own testing model: a request with no step left, a
request for another path, a step whose check fails — each is recorded and answered with a
400 naming the problem; `verify()` (called by the fixture at the end of each test) raises for
any of them and for steps left unused.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.net import free_port

Check = Callable[[dict[str, Any]], None]


@dataclass
class Step:
    """One expected model request, and the answer to give it."""

    text: str = ""
    """Reply text, streamed in pieces of `piece` characters."""
    tool_calls: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])
    """(function name, arguments JSON) for each tool call in the reply."""
    stream: bool | None = True
    """Whether the request must ask for a stream (None: either)."""
    check: Check | None = None
    """Assertions on the request body (the messages the gateway sent, its tools, ...)."""
    status: int = 200
    """Answer with this HTTP status and an OpenAI-style error body instead."""
    headers: dict[str, str] = field(default_factory=dict[str, str])
    body: str | None = None
    """Answer with this body as it is (a malformed reply)."""
    cut_after: int | None = None
    """Stream only this many chunks, then end the body (no finish reason, no [DONE])."""
    hold_after: int | None = None
    """Stream this many chunks, then hold the stream open until the client goes away."""
    piece: int = 3
    usage: tuple[int, int] = (20, 5)
    """Prompt and completion tokens reported."""
    repeat: bool = False
    """Answer every later request too (for benchmarks)."""
    delay: float = 0.0
    """Seconds before the first byte: the model's own latency."""
    pace: float = 0.0
    """Seconds between chunks, as a model generating tokens takes them."""


def say(text: str, **options: Any) -> Step:
    """A streamed text reply."""
    return Step(text=text, **options)


def call(name: str, arguments: dict[str, Any] | str, **options: Any) -> Step:
    """A streamed reply with one tool call."""
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return Step(tool_calls=[(name, args)], **options)


def title(text: str) -> Step:
    """The non-streamed request for a new thread's title."""
    return Step(text=text, stream=False)


class ScriptedModel:
    """The scripted model server; `url` is its base URL for `model.base_url`."""

    def __init__(self, steps: list[Step] | None = None) -> None:
        self.steps: list[Step] = list(steps or [])
        self.requests: list[dict[str, Any]] = []
        """The body of every request received, in order."""
        self.errors: list[str] = []
        self.holding = threading.Event()
        """Set when a step starts holding its stream open."""
        self.released = threading.Event()
        """Set when the client left a held stream."""
        self._lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        app = Starlette(routes=[Route("/{path:path}", self._answer, methods=["GET", "POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        config.timeout_graceful_shutdown = 1
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def script(self, *steps: Step) -> None:
        """Add steps to the script."""
        with self._lock:
            self.steps.extend(steps)

    def start(self) -> ScriptedModel:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the scripted model server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)

    def verify(self) -> None:
        """Raise if a request was unexpected or failed its check, or a step was left unused."""
        with self._lock:
            problems = list(self.errors)
            unused = [s for s in self.steps if not s.repeat]
        if unused:
            problems.append(f"{len(unused)} scripted step(s) left unused: {unused}")
        if problems:
            raise AssertionError("scripted model: " + "; ".join(problems))

    def messages(self, index: int = -1) -> list[dict[str, Any]]:
        """The messages of one request (the last by default)."""
        return list(self.requests[index]["messages"])

    # -- the server ---------------------------------------------------------------------

    async def _answer(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body: dict[str, Any] = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            body = {"unreadable": raw.decode(errors="replace")}
        with self._lock:
            self.requests.append(body)
            number = len(self.requests)
            if request.url.path != "/v1/chat/completions":
                return self._refuse(f"unexpected request {request.method} {request.url.path}")
            if not self.steps:
                return self._refuse(f"unexpected request (no step left): {_brief(body)}")
            step = self.steps[0] if self.steps[0].repeat else self.steps.pop(0)
        order = _sequence_problem(body.get("messages"))
        if order is not None:  # what OpenAI itself refuses with a 400
            return self._refuse(f"invalid message sequence: {order}")
        if step.stream is not None and bool(body.get("stream")) != step.stream:
            return self._refuse(f"expected stream={step.stream}, got {body.get('stream')!r}: {_brief(body)}")
        if step.check is not None:
            try:
                step.check(body)
            except Exception as exc:  # a failed assertion, or a check tripping over an unexpected shape
                return self._refuse(f"check failed: {type(exc).__name__}: {exc} in {_brief(body)}")
        if step.delay:
            await asyncio.sleep(step.delay)
        if step.status != 200:
            error = {"error": {"message": f"scripted {step.status}", "type": "scripted", "code": None}}
            return JSONResponse(error, status_code=step.status, headers=step.headers)
        if step.body is not None:
            return Response(step.body, media_type="application/json", headers=step.headers)
        model = str(body.get("model", "scripted"))
        if not body.get("stream"):
            return JSONResponse(_completion(step, model, number), headers=step.headers)
        return StreamingResponse(
            self._sse(step, model, number), media_type="text/event-stream", headers=step.headers
        )

    def _refuse(self, problem: str) -> Response:
        self.errors.append(problem)
        return JSONResponse({"error": {"message": f"scripted model: {problem}", "type": "scripted"}}, 400)

    async def _sse(self, step: Step, model: str, number: int) -> AsyncIterator[bytes]:
        for index, chunk in enumerate(_chunks(step, model, number)):
            if step.cut_after is not None and index >= step.cut_after:
                return
            if step.hold_after is not None and index >= step.hold_after:
                self.holding.set()
                try:
                    await asyncio.sleep(3600)
                finally:
                    self.released.set()
            if step.pace and index:
                await asyncio.sleep(step.pace)
            yield b"data: " + json.dumps(chunk).encode() + b"\n\n"
        yield b"data: [DONE]\n\n"


@contextlib.contextmanager
def scripted_model(*steps: Step) -> Iterator[ScriptedModel]:
    """A running scripted model; verified when the block ends without an error."""
    model = ScriptedModel(list(steps)).start()
    try:
        yield model
    finally:
        model.stop()
    model.verify()


def call_id(request: int, index: int) -> str:
    """The id the scripted model gives the `index`-th tool call of its reply to request number `request`."""
    return f"call_{request}_{index}"


def _sequence_problem(messages: Any) -> str | None:
    """What is wrong with a conversation's order, as Chat Completions sees it (None: nothing).

    Each tool message answers a tool call of the assistant message before it; every tool call
    is answered before any other message; no tool call id is used twice.
    """
    if not isinstance(messages, list):
        return "no messages"
    open_calls: set[str] = set()
    seen: set[str] = set()
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if role == "tool":
            answered = message.get("tool_call_id")
            if answered not in open_calls:
                return f"a tool message answers {answered!r}, which no open tool call has"
            open_calls.discard(answered)
            continue
        if open_calls:
            return f"a {role} message comes while tool calls {sorted(open_calls)} are unanswered"
        for call in message.get("tool_calls") or []:
            if call["id"] in seen:
                return f"tool call id {call['id']!r} is used twice"
            seen.add(call["id"])
            open_calls.add(call["id"])
    if open_calls:
        return f"tool calls {sorted(open_calls)} are never answered"
    return None


def _chunks(step: Step, model: str, number: int) -> Iterator[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-scripted",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    yield chunk({"role": "assistant", "content": ""})
    for start in range(0, len(step.text), step.piece):
        yield chunk({"content": step.text[start : start + step.piece]})
    for index, (name, arguments) in enumerate(step.tool_calls):
        first = {
            "index": index,
            "id": call_id(number, index),
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        yield chunk({"tool_calls": [first]})
        for start in range(0, len(arguments), step.piece):
            piece = {"index": index, "function": {"arguments": arguments[start : start + step.piece]}}
            yield chunk({"tool_calls": [piece]})
    yield chunk({}, "tool_calls" if step.tool_calls else "stop")
    yield {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [],
        "usage": _usage(step),
    }


def _completion(step: Step, model: str, number: int) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": step.text or None}
    if step.tool_calls:
        message["tool_calls"] = [
            {"id": call_id(number, i), "type": "function", "function": {"name": name, "arguments": arguments}}
            for i, (name, arguments) in enumerate(step.tool_calls)
        ]
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if step.tool_calls else "stop"}
        ],
        "usage": _usage(step),
    }


def _usage(step: Step) -> dict[str, int]:
    prompt, completion = step.usage
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _brief(body: dict[str, Any]) -> str:
    messages = body.get("messages")
    if isinstance(messages, list) and messages:
        return f"last message {json.dumps(messages[-1])[:300]}"
    return json.dumps(body)[:300]
