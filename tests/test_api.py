"""/api: the inspector's JSON endpoints, on a real gateway with real servers.

What an MCP server author checks there: each server's state, handshake and output; each tool's
schemas; a call taken apart (the raw exchange, the structured content against the output
schema, the widget and what chose it, the timings); and the traffic log, paged and live. The
routes are in the OpenAPI schema and guarded like /chatkit.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp.types import JSONRPCNotification, JSONRPCRequest, JSONRPCResponse

from gateway.inspector import check_output
from gateway.mcp.connection import last_output
from gateway.mcp.traffic import TrafficLog, capturing
from gateway.redact import Redactor
from gateway.vocabulary.tools import ToolInfo
from tests.support.gateway import (
    ROOT,
    Gateway,
    running_gateway,
    store_url,
    todo_server_config,
    write_config,
)

SECRET = "sk-inspector-secret-5521"
BROKEN = (
    "import sys; print('loading settings from /etc/broken.toml', file=sys.stderr); "
    "print('Error: missing API key BROKEN_KEY', file=sys.stderr); sys.exit(3)"
)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("api")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {
                "todo": todo_server_config(tmp / "todo.db"),
                "paged": {
                    "command": "python",
                    "args": ["-m", "tests.servers.paged", "3", "2"],
                    "cwd": str(ROOT),
                },
                "broken": {"command": sys.executable, "args": ["-c", BROKEN]},
                # Secrets from the environment, where a server's author would put them.
                "echo": {
                    "command": "python",
                    "args": ["-m", "tests.servers.echo", "--key=${ECHO_SECRET}"],
                    "cwd": str(ROOT),
                },
                "remote": {"url": "http://127.0.0.1:9/s/${ECHO_SECRET}/mcp", "restart_wait": 0},
            },
            "store": {"url": store_url(tmp)},
        },
    )
    with running_gateway(config, env={"ECHO_SECRET": SECRET}) as running:
        yield running


def get(gateway: Gateway, path: str, **params: Any) -> httpx2.Response:
    return httpx2.get(gateway.url + path, params=params, timeout=30)


def call(gateway: Gateway, tool: str, body: dict[str, Any]) -> httpx2.Response:
    return httpx2.post(f"{gateway.url}/api/tools/{tool}/call", json=body, timeout=60)


def test_every_route_is_in_the_openapi_schema(gateway: Gateway) -> None:
    paths = get(gateway, "/openapi.json").json()["paths"]
    for path in (
        "/api/servers",
        "/api/tools",
        "/api/tools/{tool}/form",
        "/api/tools/{tool}/call",
        "/api/traffic",
        "/api/traffic/live",
    ):
        assert path in paths, path
    call_op = paths["/api/tools/{tool}/call"]["post"]
    assert "arguments" in json.dumps(call_op) and "422" in call_op["responses"]


def test_servers_show_state_transport_protocol_capabilities_and_why_one_is_down(gateway: Gateway) -> None:
    servers = {s["name"]: s for s in get(gateway, "/api/servers").json()}
    todo = servers["todo"]
    assert todo["state"] == "up" and todo["transport"] == "stdio"
    assert todo["protocol_version"] and todo["server_info"]["name"] == "todo"
    assert "tools" in todo["capabilities"]
    assert "mcp_servers.todo" in todo["endpoint"]
    broken = servers["broken"]
    assert broken["state"] == "down" and broken["error"]
    # the server's own words, not only the last line
    assert broken["recent_output"] == [
        "loading settings from /etc/broken.toml",
        "Error: missing API key BROKEN_KEY",
    ]


def test_tools_come_with_titles_annotations_and_both_schemas(gateway: Gateway) -> None:
    tools = {t["qualified"]: t for t in get(gateway, "/api/tools").json()}
    add = tools["todo.add_task"]
    assert add["title"] and add["input_schema"]["properties"]["title"]
    assert add["output_schema"] is not None and add["model_name"] == "todo__add_task"
    assert tools["todo.delete_task"]["annotations"]["destructiveHint"] is True
    form = get(gateway, "/api/tools/todo.add_task/form").json()
    assert form["widget"]["type"] == "Card" and "title" in json.dumps(form["widget"])


def test_a_call_is_taken_apart_raw_result_checked_widget_path_and_timings(gateway: Gateway) -> None:
    report = call(gateway, "todo.add_task", {"input": {"title": "Water the plants"}})
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["called"] and body["arguments"] == {"title": "Water the plants"}
    # the exchange as it went over the wire
    assert body["request"]["method"] == "tools/call"
    assert body["request"]["params"]["arguments"] == {"title": "Water the plants"}
    assert body["response"]["id"] == body["request"]["id"]
    assert body["result"]["structuredContent"]["task"]["title"] == "Water the plants"
    assert body["output_check"] == {"declared": True, "valid": True, "problems": []}
    assert "Water the plants" in json.dumps(body["widget"])
    assert body["chosen_by"].startswith(("generic rendering", "template", "render.rules"))
    timings = body["timings"]
    assert set(timings) >= {"validate", "call", "server", "render", "total"}
    assert 0 < timings["server"] <= timings["call"] <= timings["total"]


def test_structured_content_that_breaks_the_output_schema_is_shown_raw_with_every_problem(
    gateway: Gateway,
) -> None:
    body = call(gateway, "paged.bad_point", {"arguments": {}}).json()
    assert body["result"]["structuredContent"] == {"x": "nope"}  # what the server really sent
    check = body["output_check"]
    assert check["declared"] and check["valid"] is False
    messages = {p["path"]: p["message"] for p in check["problems"]}
    assert messages["x"] == "'nope' is not of type 'integer'"
    assert messages[""] == "'y' is a required property"
    assert "does not match its output schema" in body["error"]
    assert body["chosen_by"].startswith("the gateway's error card")


def test_arguments_with_problems_call_nothing_and_come_back_on_the_form(gateway: Gateway) -> None:
    before = get(gateway, "/api/traffic").json()["last_seq"]
    response = call(gateway, "todo.add_task", {"arguments": {"title": 42}})
    assert response.status_code == 422
    body = response.json()
    assert not body["called"] and "title" in body["problems"]
    assert "expected text" in json.dumps(body["widget"])  # the form, with the problem on its field
    assert (
        get(gateway, "/api/traffic", server="todo", method="tools/call", after=before).json()["entries"] == []
    )


def test_a_destructive_tool_needs_confirmed(gateway: Gateway) -> None:
    response = call(gateway, "todo.delete_task", {"arguments": {"id": 1}})
    assert response.status_code == 409
    assert "destructive" in response.json()["error"]


def test_an_unknown_tool_is_a_404_that_says_where_to_look(gateway: Gateway) -> None:
    response = call(gateway, "todo.nope", {"arguments": {}})
    assert response.status_code == 404 and "/api/tools" in response.json()["error"]


def test_traffic_pairs_responses_with_requests_and_filters(gateway: Gateway) -> None:
    reply = gateway.client().create_thread("/list_tasks {}")
    assert reply.widgets()
    page = get(gateway, "/api/traffic", server="todo", method="tools/call").json()
    requests = [e for e in page["entries"] if e["kind"] == "request"]
    responses = {e["id"]: e for e in page["entries"] if e["kind"] == "response"}
    last = requests[-1]
    assert last["direction"] == "out" and last["message"]["params"]["name"] == "list_tasks"
    answer = responses[last["id"]]
    assert answer["direction"] == "in" and answer["method"] == "tools/call"
    assert answer["duration_ms"] > 0 and answer["seq"] > last["seq"]
    only_requests = get(gateway, "/api/traffic", kind="request").json()["entries"]
    assert only_requests and all(e["kind"] == "request" for e in only_requests)
    newer = get(gateway, "/api/traffic", after=answer["seq"]).json()["entries"]
    assert all(e["seq"] > answer["seq"] for e in newer)


def test_the_live_log_shows_a_call_as_it_happens(gateway: Gateway) -> None:
    seen: list[dict[str, Any]] = []
    ready = threading.Event()

    def follow() -> None:
        with httpx2.stream(
            "GET", gateway.url + "/api/traffic/live", params={"server": "todo"}, timeout=30
        ) as live:
            for line in live.iter_lines():
                ready.set()
                if line.startswith("data: "):
                    seen.append(json.loads(line[6:]))
                    if seen[-1]["kind"] == "response" and seen[-1]["method"] == "tools/call":
                        return

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    assert ready.wait(10)
    gateway.client().create_thread("/list_tasks {}")
    reader.join(30)
    assert not reader.is_alive(), f"no tools/call response streamed; saw {seen}"
    assert {e["server"] for e in seen} == {"todo"}
    assert [e["kind"] for e in seen if e["method"] == "tools/call"][-2:] == ["request", "response"]


def test_the_log_is_bounded_in_entries_and_size_and_masks_before_it_cuts() -> None:
    secret = "sk-bounded-secret-7731"
    log = TrafficLog(redactor=Redactor([secret]), max_entries=10, max_chars=5_000, max_message_chars=1_000)
    tap = log.tap("s")
    tap.opened()
    for i in range(50):
        tap("in", JSONRPCNotification(jsonrpc="2.0", method="notifications/message", params={"i": i}))
    kept = log.entries(limit=1000)
    assert [json.loads(e.text)["params"]["i"] for e in kept] == list(range(40, 50))
    # The secret straddles the cut at 1,000 characters: masked first, nothing of it is kept.
    start = '{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"'
    data = "x" * (1000 - len(start) - 5) + secret + "y" * 3000
    big = JSONRPCNotification(jsonrpc="2.0", method="notifications/message", params={"data": data})
    for _ in range(10):
        tap("in", big)
    kept = log.entries(limit=1000)
    assert sum(len(e.text) for e in kept) <= 5_000
    entry = kept[-1].as_json(log.redactor)
    assert entry["truncated"] and entry["message"] is None and entry["size"] > 3000
    assert entry["text"].endswith("x" * 5 + "***y") or secret[:5] not in entry["text"]
    assert secret[:5] not in entry["text"]


def test_responses_pair_with_requests_of_their_own_connection() -> None:
    log = TrafficLog()
    old, new = log.tap("s"), log.tap("s")  # a server restarted by a reload: the old one finishing
    old.opened()
    new.opened()
    old("out", JSONRPCRequest(jsonrpc="2.0", id=1, method="tools/call", params={"name": "slow"}))
    new("out", JSONRPCRequest(jsonrpc="2.0", id=1, method="tools/list"))
    old.ended()  # the old connection closing forgets only its own requests
    new("in", JSONRPCResponse(jsonrpc="2.0", id=1, result={"tools": []}))
    answer = log.entries(kind="response")[-1]
    assert answer.method == "tools/list"
    assert answer.connection != log.entries(method="tools/call")[0].connection


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    tmp = tmp_path_factory.mktemp("api-auth")
    config = write_config(
        tmp / "config.yaml",
        {
            "mcp_servers": {"todo": todo_server_config(tmp / "todo.db")},
            "store": {"url": store_url(tmp)},
            "auth": {"tokens": {"token-alice": "alice", "token-bob": "bob"}, "admins": ["alice"]},
        },
    )
    with running_gateway(config) as running:
        yield running


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/servers"),
        ("GET", "/api/tools"),
        ("GET", "/api/tools/todo.add_task/form"),
        ("POST", "/api/tools/todo.add_task/call"),
        ("GET", "/api/traffic"),
        ("GET", "/api/traffic/live"),
    ],
)
def test_every_route_answers_like_chatkit_without_credentials(
    guarded: Gateway, method: str, path: str
) -> None:
    chatkit = guarded.client(Authorization="").list_threads()
    response = httpx2.request(method, guarded.url + path, json={"arguments": {"title": "x"}}, timeout=30)
    assert response.status_code == chatkit.status == 401
    assert response.json() == chatkit.json
    assert response.headers["www-authenticate"] == "Bearer"
    wrong = httpx2.request(
        method, guarded.url + path, json={}, headers={"Authorization": "Bearer nope"}, timeout=30
    )
    assert wrong.status_code == 401 and "not valid" in wrong.json()["error"]


def test_with_a_token_the_routes_answer_and_calls_are_audited_as_that_user(guarded: Gateway) -> None:
    headers = {"Authorization": "Bearer token-alice"}
    tools = httpx2.get(guarded.url + "/api/tools", headers=headers, timeout=30)
    assert tools.status_code == 200 and tools.json()
    response = httpx2.post(
        guarded.url + "/api/tools/todo.add_task/call",
        json={"arguments": {"title": "From the inspector"}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200 and response.json()["called"]
    config = guarded.log.parent / "config.yaml"
    done = __import__("subprocess").run(
        [sys.executable, "-m", "gateway", "audit", "--config", str(config), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    entries = [json.loads(line) for line in done.stdout.splitlines()]
    mine = [e for e in entries if e["tool"] == "add_task"]
    assert mine and mine[-1]["user_id"] == "alice" and mine[-1]["via"] == "inspector"


def test_the_traffic_log_and_server_output_are_for_admins_only(guarded: Gateway) -> None:
    for user in ("token-alice", "token-bob"):
        httpx2.post(
            guarded.url + "/api/tools/todo.list_tasks/call",
            json={"arguments": {}},
            headers={"Authorization": f"Bearer {user}"},
            timeout=30,
        )
    bob = {"Authorization": "Bearer token-bob"}
    for path in ("/api/traffic", "/api/traffic/live"):
        refused = httpx2.get(guarded.url + path, headers=bob, timeout=30)
        assert refused.status_code == 403 and "auth.admins" in refused.json()["error"]
    servers = httpx2.get(guarded.url + "/api/servers", headers=bob, timeout=30).json()
    assert all(s["recent_output"] == [] for s in servers)
    alice = httpx2.get(
        guarded.url + "/api/traffic", headers={"Authorization": "Bearer token-alice"}, timeout=30
    )
    assert alice.status_code == 200 and alice.json()["entries"]


def test_another_site_and_a_body_that_is_not_json_are_refused_as_at_chatkit(guarded: Gateway) -> None:
    headers = {"Authorization": "Bearer token-alice"}
    cross = httpx2.get(
        guarded.url + "/api/tools", headers={**headers, "Origin": "https://evil.example"}, timeout=30
    )
    assert cross.status_code == 403 and "evil.example" in cross.json()["error"]
    plain = httpx2.post(
        guarded.url + "/api/tools/todo.add_task/call",
        content=b'{"arguments": {"title": "x"}}',
        headers={**headers, "Content-Type": "text/plain"},
        timeout=30,
    )
    assert plain.status_code == 415 and "application/json" in plain.json()["error"]


def test_secrets_are_masked_in_every_answer_and_cannot_be_searched_for(gateway: Gateway) -> None:
    report = call(gateway, "echo.echo", {"arguments": {"value": {"key": SECRET}}})
    assert report.status_code == 200, report.text
    assert SECRET not in report.text and "***" in json.dumps(report.json()["result"])
    servers = get(gateway, "/api/servers")
    assert SECRET not in servers.text
    endpoints = {s["name"]: s["endpoint"] for s in servers.json()}
    assert endpoints["remote"] == "http://127.0.0.1:9/s/***/mcp"
    assert endpoints["echo"].endswith("'--key=***'")
    traffic = get(gateway, "/api/traffic", server="echo")
    assert SECRET not in traffic.text and "***" in traffic.text
    for prefix in (SECRET[:8], "sk-inspector"):  # a search is no oracle for the masked value
        assert get(gateway, "/api/traffic", q=prefix).json()["entries"] == []


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, b"{not json", 401),  # credentials first, before any body is read
        ({"Origin": "https://evil.example", "Authorization": "Bearer token-alice"}, b"{not json", 403),
        ({"Authorization": "Bearer token-alice"}, b"{not json", 400),
        ({"Authorization": "Bearer token-alice"}, b'{"arguments": "x"}', 400),
        (
            {"Authorization": "Bearer token-alice"},
            b'{"arguments": {"title": "' + b"x" * 2_000_000 + b'"}}',
            413,
        ),
    ],
)
def test_a_call_body_is_read_only_after_the_guard_and_never_past_the_limit(
    guarded: Gateway, headers: dict[str, str], body: bytes, status: int
) -> None:
    response = httpx2.post(
        guarded.url + "/api/tools/todo.add_task/call",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]


def test_masking_keeps_every_message_valid_json() -> None:
    secret = "8080"  # a `${VAR}` value that is also JSON syntax elsewhere in the message
    log = TrafficLog(redactor=Redactor([secret]))
    tap = log.tap("s")
    tap.opened()
    urls = {"url": "https://h.example/x?q=cats", "odd": "https://h.example/?a%22b=1&c%0Ad=2"}
    text = json.dumps(urls)  # a text block that is JSON itself, as servers write beside structured content
    result = {"content": [{"type": "text", "text": text}], "structuredContent": {**urls, "port": 8080}}
    tap("in", JSONRPCResponse(jsonrpc="2.0", id=1, result=result))
    shown = log.entries()[-1].as_json(log.redactor)
    assert shown["message"] is not None, shown["text"]
    shown_result = shown["message"]["result"]
    assert shown_result["structuredContent"]["url"] == "https://h.example/x?q=***"
    assert shown_result["structuredContent"]["port"] == 8080  # numbers are data, not text to mask
    inner = json.loads(shown_result["content"][0]["text"])  # the text block is still JSON inside
    assert inner["odd"] == "https://h.example/?a%22b=***&c%0Ad=***"


def test_a_capture_keeps_the_tools_call_and_not_what_the_sdk_asks_after_it() -> None:
    log = TrafficLog()
    tap = log.tap("s")
    tap.opened()
    with capturing() as capture:
        tap("out", JSONRPCRequest(jsonrpc="2.0", id=7, method="tools/call", params={"name": "t"}))
        tap("in", JSONRPCResponse(jsonrpc="2.0", id=7, result={"content": []}))
        tap("out", JSONRPCRequest(jsonrpc="2.0", id=8, method="tools/list"))  # the SDK's schema refresh
        tap("in", JSONRPCResponse(jsonrpc="2.0", id=8, result={"tools": []}))
    assert capture.request is not None and capture.request.method == "tools/call"
    assert capture.response is not None and capture.response.id == 7


def test_the_output_check_agrees_with_the_sdk_on_formats_and_lists_real_problems() -> None:
    tool = ToolInfo(
        server="s",
        name="t",
        model_name="s__t",
        output_schema={
            "type": "object",
            "properties": {"due": {"type": "string", "format": "date"}, "n": {"type": "integer"}},
            "required": ["n"],
        },
    )
    assert check_output(tool, {"structuredContent": {"due": "tomorrow", "n": 1}}).valid is True
    broken = check_output(tool, {"structuredContent": {"due": "tomorrow"}})
    assert broken.valid is False and broken.problems == [
        {"path": "", "message": "'n' is a required property"}
    ]
    assert check_output(tool, {"isError": True}).valid is None
    missing = check_output(tool, {"content": []})
    assert missing.valid is False and "no structuredContent" in missing.problems[0]["message"]


def test_a_servers_last_line_is_masked_before_it_is_cut(tmp_path: Path) -> None:
    secret = "sk-live-0123456789abcdef"
    with (tmp_path / "stderr").open("w+", encoding="utf-8") as stderr:
        stderr.write("x" * 195 + secret + " failed\n")
        stderr.flush()
        hint = last_output(stderr, Redactor([secret]).output)
    assert "sk-li" not in hint and hint.startswith(" (its last output: xxx")
