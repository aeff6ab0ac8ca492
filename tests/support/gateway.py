"""The gateway under uvicorn in a subprocess, and a small ChatKit client that speaks its wire format."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
import yaml

from tests.support.net import free_port, wait_until_listening

ROOT = Path(__file__).resolve().parents[2]


def write_config(path: Path, config: dict[str, Any]) -> Path:
    """Write `config` as YAML to `path` and return it; templates come from the repo's widgets/
    (as with the repo's config.yaml) unless `config` says otherwise."""
    config = {"render": {"templates_dir": str(ROOT / "widgets")}, **config}
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def todo_server_config(db: Path, **extra: Any) -> dict[str, Any]:
    """A stdio server entry for our todo server on `db`."""
    return {
        "command": "python",
        "args": ["-m", "mcp_servers.todo", "--db", str(db)],
        "cwd": str(ROOT),
        **extra,
    }


def everything_server_config(**extra: Any) -> dict[str, Any]:
    """A stdio server entry for server-everything (installed by scripts/test-deps.sh); a minute
    per call, as node's first start can be slow."""
    script = ROOT / ".cache/partners/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
    return {"command": "node", "args": [str(script), "stdio"], "timeout": 60, **extra}


def quirky_server_config(marker: Path, **extra: Any) -> dict[str, Any]:
    """A stdio server entry for tests/servers/quirky.py, noting what it does in `marker`."""
    return {
        "command": "python",
        "args": ["-m", "tests.servers.quirky", "--marker", str(marker)],
        "cwd": str(ROOT),
        **extra,
    }


def store_url(tmp: Path) -> str:
    """The URL of the gateway's SQLite store in `tmp` (the one `local_config` gives it)."""
    return f"sqlite+aiosqlite:///{tmp / 'gateway.db'}"


def local_config(tmp: Path, *, todo_db: Path | None = None, **sections: Any) -> dict[str, Any]:
    """A config like the repo's own: our todo server over stdio and a SQLite store, both in `tmp`."""
    return {
        "mcp_servers": {"todo": todo_server_config(todo_db or tmp / "todo.db")},
        "store": {"url": store_url(tmp)},
        **sections,
    }


@dataclass
class Gateway:
    """A running gateway process and the URL it serves on."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    token: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    clients: list[ChatKitClient] = field(default_factory=list)

    def client(self, **headers: str) -> ChatKitClient:
        """A client for this gateway; headers are sent with every request."""
        merged = dict(self.headers)
        if self.token:
            merged.setdefault("Authorization", f"Bearer {self.token}")
        merged.update(headers)
        client = ChatKitClient(self.url, merged)
        self.clients.append(client)
        return client

    def logs(self) -> str:
        """What the gateway printed so far (for assertion messages)."""
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def running_gateway(
    config_path: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 30.0,
    log_level: str | None = None,
) -> Iterator[Gateway]:
    """Start `python -m gateway serve` on a free loopback port; stop it (SIGTERM) on exit.

    Its output goes to a log file beside the config (`Gateway.logs()`), written by the gateway
    itself, so what a test reads there is all it has printed so far.
    """
    port = free_port()
    log = config_path.with_suffix(f".{port}.log")
    command = [sys.executable, "-m", "gateway", "serve", "--config", str(config_path)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    if log_level is not None:
        command += ["--log-level", log_level]
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    gateway = Gateway(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        # uvicorn runs the app's start-up (store, MCP servers) before it listens: once it says
        # it listens, the gateway answers.
        wait_until_listening(port, log=log, process=process, timeout=timeout)
        _check_health(gateway)
        yield gateway
    finally:
        for client in gateway.clients:
            client.http.close()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def running_local_gateway(
    tmp: Path,
    *,
    todo_db: Path | None = None,
    env: dict[str, str] | None = None,
    log_level: str | None = None,
    **sections: Any,
) -> Iterator[Gateway]:
    """`running_gateway` on `local_config(tmp, todo_db=..., **sections)`, written to `tmp`/config.yaml."""
    config = write_config(tmp / "config.yaml", local_config(tmp, todo_db=todo_db, **sections))
    with running_gateway(config, env=env, log_level=log_level) as gateway:
        yield gateway


def _check_health(gateway: Gateway) -> None:
    """The gateway that says it listens answers /health: 200, or 503 with a server or the store down."""
    try:
        response = httpx2.get(f"{gateway.url}/health", timeout=10)
    except httpx2.HTTPError as exc:
        raise RuntimeError(f"the gateway listens but GET /health failed: {exc!r}\n{gateway.logs()}") from exc
    if response.status_code not in (200, 503):
        raise RuntimeError(f"GET /health answered {response.status_code}: {response.text}\n{gateway.logs()}")


@dataclass
class Reply:
    """One /chatkit response: JSON for plain requests, parsed SSE events for streams."""

    status: int
    headers: dict[str, str]
    json: Any = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        """Events whose `type` is `kind`."""
        return [e for e in self.events if e.get("type") == kind]

    def done_items(self, item_type: str | None = None) -> list[dict[str, Any]]:
        """Items of `thread.item.done` events, optionally only of one item type."""
        items = [e["item"] for e in self.of_type("thread.item.done")]
        return [i for i in items if item_type is None or i.get("type") == item_type]

    def widgets(self) -> list[dict[str, Any]]:
        """The widget items this stream finished."""
        return self.done_items("widget")

    @property
    def thread_id(self) -> str:
        """The id of the thread a threads.create stream made."""
        return self.of_type("thread.created")[0]["thread"]["id"]


class ChatKitClient:
    """Speaks POST /chatkit as the web component does."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.http = httpx2.Client(base_url=base_url, headers=headers or {}, timeout=60)

    def post(self, request: dict[str, Any] | bytes | str, **headers: str) -> Reply:
        """Send one request; read the whole response (SSE parsed into events)."""
        body = request if isinstance(request, bytes | str) else json.dumps(request)
        response = self.http.post(
            "/chatkit", content=body, headers={"Content-Type": "application/json", **headers}
        )
        reply = Reply(status=response.status_code, headers=dict(response.headers))
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            reply.events = parse_sse(response.text)
        elif response.content:
            reply.json = response.json()
        return reply

    # The requests the web component sends -------------------------------------------------

    def create_thread(self, text: str) -> Reply:
        """threads.create with a first user message."""
        return self.post({"type": "threads.create", "params": {"input": user_input(text)}})

    def send(self, thread_id: str, text: str) -> Reply:
        """threads.add_user_message."""
        return self.post(
            {
                "type": "threads.add_user_message",
                "params": {"thread_id": thread_id, "input": user_input(text)},
            }
        )

    def action(
        self, thread_id: str, item_id: str | None, action: dict[str, Any], *, sync: bool = False
    ) -> Reply:
        """threads.custom_action (streamed) or threads.sync_custom_action."""
        kind = "threads.sync_custom_action" if sync else "threads.custom_action"
        params: dict[str, Any] = {
            "thread_id": thread_id,
            "action": {"type": action["type"], "payload": action.get("payload")},
        }
        if item_id is not None:
            params["item_id"] = item_id
        return self.post({"type": kind, "params": params})

    def get_thread(self, thread_id: str) -> Reply:
        """threads.get_by_id."""
        return self.post({"type": "threads.get_by_id", "params": {"thread_id": thread_id}})

    def list_items(self, thread_id: str, **params: Any) -> Reply:
        """items.list."""
        return self.post({"type": "items.list", "params": {"thread_id": thread_id, **params}})

    def list_threads(self, **params: Any) -> Reply:
        """threads.list."""
        return self.post({"type": "threads.list", "params": params})


def user_input(text: str) -> dict[str, Any]:
    """The `input` object the composer sends for a plain text message."""
    return {"content": [{"type": "input_text", "text": text}], "attachments": [], "inference_options": {}}


def submit_form(action: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The action a Form submit sends: field values merged into the payload by name.

    As the web component does it: a dotted name nests (`input.title` → payload["input"]["title"]),
    and a value whose key already exists in the payload is dropped.
    """
    payload = json.loads(json.dumps(action.get("payload") or {}))
    for name, value in values.items():
        *parents, leaf = name.split(".")
        target = payload
        blocked = False
        for part in parents:
            existing = target.get(part)
            if existing is None:
                existing = target[part] = {}
            elif not isinstance(existing, dict):
                blocked = True
                break
            target = existing
        if blocked or leaf in target:
            continue
        target[leaf] = value
    return {"type": action["type"], "payload": payload}


def parse_sse(text: str) -> list[dict[str, Any]]:
    """`data: {json}` blocks of a server-sent-event stream, decoded."""
    events = []
    for block in text.split("\n\n"):
        data = "".join(line[5:].lstrip() for line in block.splitlines() if line.startswith("data:"))
        if data:
            events.append(json.loads(data))
    return events


def find_nodes(tree: Any, predicate: Any) -> list[dict[str, Any]]:
    """Every dict in a widget tree for which `predicate(node)` is true, depth first."""
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if predicate(node):
                found.append(node)
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found
