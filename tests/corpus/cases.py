"""The corpus: six MCP servers nobody here wrote, and the calls recorded from each.

A case's arguments name fixture paths under PLACEHOLDER (`/corpus/workspace/...`); the recorder
puts the real temporary root in their place before the call and PLACEHOLDER back in
everything it records. What else varies between runs (the time of day, a server's
environment, file creation times) is normalized per case, so a re-recording of an unchanged
server changes nothing.
"""

from __future__ import annotations

import base64
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.corpus.fixtures import PLACEHOLDER, git_env

ROOT = Path(__file__).resolve().parents[2]
NODE_PACKAGES = ROOT / ".cache" / "partners" / "node_modules" / "@modelcontextprotocol"

Normalizer = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Server:
    """How to start one server over stdio on the fixtures (paths under PLACEHOLDER)."""

    name: str
    command: str
    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict[str, str])
    node: bool = False
    """An npm server (installed by scripts/test-deps.sh; its tests are marked `node`)."""


@dataclass(frozen=True)
class Case:
    """One recorded call: `tests/corpus/results/<server>/<name>.json`."""

    server: str
    name: str
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict[str, Any])
    normalize: Normalizer | None = None
    """What makes this result stable beyond the root path (applied to the dumped result)."""


def node_server(name: str, package: str, *args: str, env: dict[str, str] | None = None) -> Server:
    script = NODE_PACKAGES / package / "dist" / "index.js"
    return Server(name, "node", (str(script), *args), env or {}, node=True)


SERVERS: dict[str, Server] = {
    s.name: s
    for s in [
        node_server("everything", "server-everything", "stdio", env={"CORPUS_NOTE": "set by the corpus"}),
        node_server("filesystem", "server-filesystem", f"{PLACEHOLDER}/workspace"),
        node_server("memory", "server-memory", env={"MEMORY_FILE_PATH": f"{PLACEHOLDER}/memory.jsonl"}),
        node_server(
            "sequential-thinking", "server-sequential-thinking", env={"DISABLE_THOUGHT_LOGGING": "true"}
        ),
        Server(
            "git",
            sys.executable,
            ("-m", "mcp_server_git", "--repository", f"{PLACEHOLDER}/repo"),
            git_env(Path(PLACEHOLDER)),
        ),
        Server("time", sys.executable, ("-m", "mcp_server_time", "--local-timezone", "UTC")),
    ]
}


# -- normalizers -------------------------------------------------------------------------------


def substitute(*pairs: tuple[str, str]) -> Normalizer:
    """Regex substitutions on every string in the result (text blocks and structured content)."""
    compiled = [(re.compile(pattern), replacement) for pattern, replacement in pairs]

    def apply(value: Any) -> Any:
        if isinstance(value, str):
            for pattern, replacement in compiled:
                value = pattern.sub(replacement, value)
            return value
        if isinstance(value, dict):
            return {k: apply(v) for k, v in value.items()}
        if isinstance(value, list):
            return [apply(v) for v in value]
        return value

    return apply


WEEKDAY = (r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", "Thursday")
TODAY = substitute((r"\d{4}-\d{2}-\d{2}(?=T\d{2}:\d{2})", "2026-01-15"), WEEKDAY)
NOW = substitute((r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "2026-01-15T12:00:00"), WEEKDAY)
# get_file_info's created/modified/accessed (JS Date strings); creation time cannot be fixed.
FILE_TIMES = substitute(
    (
        r"\w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4} \([^)]*\)",
        "Thu Jan 01 2026 00:00:00 GMT+0000",
    ),
    (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "2026-01-01T00:00:00.000Z"),
)


CLOCK = (r"\b\d{1,2}:\d{2}:\d{2}( [AP]M)?", "12:00:00 PM")  # toLocaleTimeString, in any locale


def created_at(result: dict[str, Any]) -> dict[str, Any]:
    """server-everything's dynamic resources say when they were made, in text and in base64 blobs."""
    clock = substitute(CLOCK)
    for block in result.get("content", []):
        resource = block.get("resource", {})
        if "blob" in resource:
            text = clock(base64.b64decode(resource["blob"]).decode())
            resource["blob"] = base64.b64encode(text.encode()).decode()
    return clock(result)


def fixed_task_id(result: dict[str, Any]) -> dict[str, Any]:
    """A task's id is random."""
    related = result.get("_meta", {}).get("io.modelcontextprotocol/related-task")
    if related is not None:
        related["taskId"] = "corpus-task-id"
    return result


def only_corpus_env(result: dict[str, Any]) -> dict[str, Any]:
    """get-env dumps the server's whole environment: keep only what the corpus set."""
    for block in result.get("content", []):
        if block.get("type") == "text":
            env = json.loads(block["text"])
            block["text"] = json.dumps({k: v for k, v in env.items() if k.startswith("CORPUS_")}, indent=2)
    return result


# -- the cases ---------------------------------------------------------------------------------

WS = f"{PLACEHOLDER}/workspace"
REPO = f"{PLACEHOLDER}/repo"
PERSONS = [
    {
        "name": "Ada Lovelace",
        "entityType": "person",
        "observations": [
            "Wrote the first published program",
            "Born in London in 1815",
            "Worked with Babbage",
        ],
    },
    {"name": "Charles Babbage", "entityType": "person", "observations": ["Designed the Analytical Engine"]},
    {
        "name": "Analytical Engine",
        "entityType": "machine",
        "observations": ["Mechanical general-purpose computer", "Never completed"],
    },
]
RELATIONS = [
    {"from": "Ada Lovelace", "to": "Analytical Engine", "relationType": "programmed"},
    {"from": "Charles Babbage", "to": "Analytical Engine", "relationType": "designed"},
    {"from": "Ada Lovelace", "to": "Charles Babbage", "relationType": "corresponded with"},
]
THOUGHT = {"nextThoughtNeeded": True, "totalThoughts": 3}
TINY_TEXT = "data:text/plain;base64,SGVsbG8sIGNvcnB1cyEKSGVsbG8sIGNvcnB1cyEKSGVsbG8sIGNvcnB1cyEK"

CASES: list[Case] = [
    # server-everything: the reference server's content types and shapes
    Case("everything", "echo", "echo", {"message": "Hello from the corpus"}),
    Case("everything", "echo_markdown_unicode", "echo", {"message": "**Bold** _italic_ `code` — naïve café 日本語 🎉"}),
    Case("everything", "get_sum", "get-sum", {"a": 2, "b": 40}),
    Case("everything", "get_sum_floats", "get-sum", {"a": 0.1, "b": -2.5}),
    Case("everything", "get_tiny_image", "get-tiny-image"),
    Case("everything", "annotated_error", "get-annotated-message", {"messageType": "error"}),
    Case("everything", "annotated_success", "get-annotated-message", {"messageType": "success"}),
    Case("everything", "annotated_debug_image", "get-annotated-message", {"messageType": "debug", "includeImage": True}),
    Case("everything", "resource_links", "get-resource-links", {"count": 3}),
    Case("everything", "resource_links_one", "get-resource-links", {"count": 1}),
    Case("everything", "resource_reference_text", "get-resource-reference", {"resourceType": "Text", "resourceId": 1}, created_at),
    Case("everything", "resource_reference_blob", "get-resource-reference", {"resourceType": "Blob", "resourceId": 2}, created_at),
    Case("everything", "structured_new_york", "get-structured-content", {"location": "New York"}),
    Case("everything", "structured_chicago", "get-structured-content", {"location": "Chicago"}),
    Case("everything", "structured_los_angeles", "get-structured-content", {"location": "Los Angeles"}),
    Case("everything", "env", "get-env", normalize=only_corpus_env),
    Case("everything", "gzip_as_resource", "gzip-file-as-resource", {"name": "hello.txt.gz", "data": TINY_TEXT, "outputType": "resource"}),
    Case("everything", "gzip_as_link", "gzip-file-as-resource", {"name": "hello2.txt.gz", "data": TINY_TEXT, "outputType": "resourceLink"}),
    Case("everything", "logging_on", "toggle-simulated-logging"),
    Case("everything", "logging_off", "toggle-simulated-logging"),
    Case("everything", "subscriber_updates_on", "toggle-subscriber-updates"),
    Case("everything", "subscriber_updates_off", "toggle-subscriber-updates"),
    Case("everything", "long_running_operation", "trigger-long-running-operation", {"duration": 1, "steps": 2}),
    Case("everything", "roots_list", "get-roots-list"),
    Case("everything", "sampling_request", "trigger-sampling-request", {"prompt": "Name a colour", "maxTokens": 20}),
    Case("everything", "elicitation_request", "trigger-elicitation-request"),
    Case("everything", "url_elicitation", "trigger-url-elicitation", {"url": "https://corpus.example/consent", "elicitationId": "corpus-elicitation"}),
    Case("everything", "research_query_task", "simulate-research-query", {"topic": "MCP widgets"}, fixed_task_id),
    # server-filesystem: reads first, then changes inside the workspace's scratch/
    Case("filesystem", "allowed_directories", "list_allowed_directories"),
    Case("filesystem", "list_directory", "list_directory", {"path": WS}),
    Case("filesystem", "list_directory_nested", "list_directory", {"path": f"{WS}/notes"}),
    Case("filesystem", "list_with_sizes", "list_directory_with_sizes", {"path": f"{WS}/data"}),
    Case("filesystem", "list_with_sizes_by_size", "list_directory_with_sizes", {"path": WS, "sortBy": "size"}),
    Case("filesystem", "directory_tree", "directory_tree", {"path": WS}),
    Case("filesystem", "directory_tree_excluding", "directory_tree", {"path": WS, "excludePatterns": ["images", "*.csv"]}),
    Case("filesystem", "read_text_markdown", "read_text_file", {"path": f"{WS}/README.md"}),
    Case("filesystem", "read_text_head", "read_text_file", {"path": f"{WS}/notes/todo.txt", "head": 3}),
    Case("filesystem", "read_text_tail", "read_text_file", {"path": f"{WS}/notes/todo.txt", "tail": 2}),
    Case("filesystem", "read_text_json", "read_text_file", {"path": f"{WS}/data/config.json"}),
    Case("filesystem", "read_file_code", "read_file", {"path": f"{WS}/src/app.py"}),
    Case("filesystem", "read_multiple_files", "read_multiple_files", {"paths": [f"{WS}/notes/todo.txt", f"{WS}/data/people.csv", f"{WS}/missing.txt"]}),
    Case("filesystem", "read_media_png", "read_media_file", {"path": f"{WS}/images/pixel.png"}),
    Case("filesystem", "file_info", "get_file_info", {"path": f"{WS}/notes/todo.txt"}, FILE_TIMES),
    Case("filesystem", "search_files", "search_files", {"path": WS, "pattern": "**/*.txt"}),
    Case("filesystem", "search_files_none", "search_files", {"path": WS, "pattern": "*.xlsx"}),
    Case("filesystem", "read_outside_allowed", "read_text_file", {"path": "/etc/hostname"}),
    Case("filesystem", "create_directory", "create_directory", {"path": f"{WS}/scratch/new"}),
    Case("filesystem", "write_file", "write_file", {"path": f"{WS}/scratch/hello.txt", "content": "one\ntwo\nthree\n"}),
    Case("filesystem", "edit_file_dry_run", "edit_file", {"path": f"{WS}/scratch/hello.txt", "edits": [{"oldText": "two", "newText": "TWO"}], "dryRun": True}),
    Case("filesystem", "edit_file", "edit_file", {"path": f"{WS}/scratch/hello.txt", "edits": [{"oldText": "three\n", "newText": "three\nfour\n"}]}),
    Case("filesystem", "move_file", "move_file", {"source": f"{WS}/scratch/hello.txt", "destination": f"{WS}/scratch/new/hello.txt"}),
    Case("filesystem", "directory_tree_after_changes", "directory_tree", {"path": f"{WS}/scratch"}),
    # server-memory: a knowledge graph in the fixture's memory file
    Case("memory", "read_graph_empty", "read_graph"),
    Case("memory", "create_entities", "create_entities", {"entities": PERSONS}),
    Case("memory", "create_relations", "create_relations", {"relations": RELATIONS}),
    Case("memory", "add_observations", "add_observations", {"observations": [{"entityName": "Charles Babbage", "contents": ["Lucasian Professor of Mathematics", "Born in 1791"]}]}),
    Case("memory", "read_graph", "read_graph"),
    Case("memory", "search_nodes", "search_nodes", {"query": "engine"}),
    Case("memory", "search_nodes_none", "search_nodes", {"query": "quantum"}),
    Case("memory", "open_nodes", "open_nodes", {"names": ["Ada Lovelace", "Analytical Engine"]}),
    Case("memory", "delete_observations", "delete_observations", {"deletions": [{"entityName": "Analytical Engine", "observations": ["Never completed"]}]}),
    Case("memory", "delete_relations", "delete_relations", {"relations": RELATIONS[2:]}),
    Case("memory", "delete_entities", "delete_entities", {"entityNames": ["Charles Babbage"]}),
    Case("memory", "read_graph_after_deletes", "read_graph"),
    # server-sequential-thinking: one short chain with a revision and a branch
    Case("sequential-thinking", "first_thought", "sequentialthinking", {"thought": "List what the widget must show.", "thoughtNumber": 1, **THOUGHT}),
    Case("sequential-thinking", "second_thought", "sequentialthinking", {"thought": "Group the fields by section.", "thoughtNumber": 2, **THOUGHT}),
    Case("sequential-thinking", "revision", "sequentialthinking", {"thought": "Actually, list the fields first.", "thoughtNumber": 3, "isRevision": True, "revisesThought": 1, "nextThoughtNeeded": True, "totalThoughts": 4}),
    Case("sequential-thinking", "branch", "sequentialthinking", {"thought": "Try a table instead.", "thoughtNumber": 4, "branchFromThought": 2, "branchId": "table", "nextThoughtNeeded": False, "totalThoughts": 4}),
    # mcp-server-git: a repository with history on three branches and local changes
    Case("git", "status", "git_status", {"repo_path": REPO}),
    Case("git", "diff_unstaged", "git_diff_unstaged", {"repo_path": REPO}),
    Case("git", "diff_unstaged_no_context", "git_diff_unstaged", {"repo_path": REPO, "context_lines": 0}),
    Case("git", "diff_against_branch", "git_diff", {"repo_path": REPO, "target": "feature/shout"}),
    Case("git", "show_head", "git_show", {"repo_path": REPO, "revision": "HEAD"}),
    Case("git", "show_branch_tip", "git_show", {"repo_path": REPO, "revision": "fix/typo"}),
    Case("git", "show_unknown_revision", "git_show", {"repo_path": REPO, "revision": "no-such-branch"}),
    Case("git", "log", "git_log", {"repo_path": REPO}),
    Case("git", "log_two", "git_log", {"repo_path": REPO, "max_count": 2}),
    Case("git", "log_since", "git_log", {"repo_path": REPO, "start_timestamp": "2026-01-01T10:00:00"}),
    Case("git", "branch_local", "git_branch", {"repo_path": REPO, "branch_type": "local"}),
    Case("git", "branch_all_containing", "git_branch", {"repo_path": REPO, "branch_type": "all", "contains": "HEAD~1"}),
    Case("git", "add", "git_add", {"repo_path": REPO, "files": ["hello.py"]}),
    Case("git", "diff_staged", "git_diff_staged", {"repo_path": REPO}),
    Case("git", "reset", "git_reset", {"repo_path": REPO}),
    Case("git", "add_again", "git_add", {"repo_path": REPO, "files": ["hello.py", "notes.txt"]}),
    Case("git", "commit", "git_commit", {"repo_path": REPO, "message": "Check the name and take punctuation"}),
    Case("git", "log_after_commit", "git_log", {"repo_path": REPO, "max_count": 2}),
    Case("git", "create_branch", "git_create_branch", {"repo_path": REPO, "branch_name": "release/1.1", "base_branch": "main"}),
    Case("git", "checkout", "git_checkout", {"repo_path": REPO, "branch_name": "release/1.1"}),
    Case("git", "status_clean", "git_status", {"repo_path": REPO}),
    # mcp-server-time: the current time is normalized; conversions use zones without DST
    Case("time", "current_time_utc", "get_current_time", {"timezone": "UTC"}, NOW),
    Case("time", "current_time_tokyo", "get_current_time", {"timezone": "Asia/Tokyo"}, NOW),
    Case("time", "convert_utc_to_tokyo", "convert_time", {"source_timezone": "UTC", "time": "16:30", "target_timezone": "Asia/Tokyo"}, TODAY),
    Case("time", "convert_kolkata_to_utc", "convert_time", {"source_timezone": "Asia/Kolkata", "time": "09:15", "target_timezone": "UTC"}, TODAY),
    Case("time", "convert_invalid_time", "convert_time", {"source_timezone": "UTC", "time": "25:99", "target_timezone": "Asia/Tokyo"}),
    Case("time", "unknown_timezone", "get_current_time", {"timezone": "Mars/Olympus_Mons"}),
]  # fmt: skip


def cases_of(server: str) -> list[Case]:
    """The cases of one server, in the order they are recorded (later ones see earlier changes)."""
    return [c for c in CASES if c.server == server]
