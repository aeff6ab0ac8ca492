"""Configuration reload: a running gateway takes a changed config.yaml without a restart.

Three triggers, one path: SIGHUP, a change of the file (or of a `.widget` template) seen by
the watcher, and `gateway reload` (POST /admin/reload). Each reads and validates the whole
file first; an invalid file is refused with the usual key-path error and the running
configuration stays, untouched. A valid one is applied:

- MCP servers added, removed or changed are started, stopped or restarted
  (`ToolRegistry.reconfigure`); unchanged servers and their calls in flight are not touched,
  and a replaced server finishes its calls in flight before it stops.
- Render rules, templates, UI settings, auth and origin checks apply to the next request.
- What cannot change in a running process (the store, CORS origins, the shutdown grace) is
  named in the report and applies at the next start.

Threads live in the store, which a reload never touches.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.abc

from gateway.auth import Authenticator
from gateway.calls import ToolCaller
from gateway.config import GatewayConfig, load_config
from gateway.endpoint import ChatKitEndpoint
from gateway.errors import ConfigError
from gateway.mcp.registry import ServerChanges, ToolRegistry
from gateway.origin import OriginPolicy
from gateway.render.renderer import Renderer

logger = logging.getLogger("uvicorn.error")

WATCH_DEBOUNCE_MS = 300
"""Changes closer together than this are one reload: an editor's save is several writes."""

_RESTART_ONLY = ("store", "server.cors_origins", "server.shutdown_grace", "server.watch_config")
"""Settings a running process cannot change, by key path."""


@dataclass(frozen=True)
class ReloadReport:
    """What one reload changed."""

    servers: ServerChanges
    applied: list[str] = field(default_factory=list[str])
    """Sections other than servers that changed and apply from the next request."""
    needs_restart: list[str] = field(default_factory=list[str])
    """Key paths that changed but apply only at the next start."""

    def summary(self) -> str:
        """One line for the log and the command line."""
        parts = [
            f"{verb} {', '.join(names)}"
            for verb, names in (
                ("started", self.servers.added),
                ("stopped", self.servers.removed),
                ("restarted", self.servers.restarted),
            )
            if names
        ]
        if self.applied:
            parts.append(f"applied {', '.join(self.applied)}")
        if self.needs_restart:
            parts.append(f"{', '.join(self.needs_restart)} changed: takes effect at the next start")
        return "; ".join(parts) if parts else "nothing changed (templates re-read)"

    def as_json(self) -> dict[str, Any]:
        """The report as the admin endpoint answers it."""
        return {
            "added": self.servers.added,
            "removed": self.servers.removed,
            "restarted": self.servers.restarted,
            "applied": self.applied,
            "needs_restart": self.needs_restart,
            "summary": self.summary(),
        }


class ConfigReloader:
    """Owns the running configuration and applies a new one to the live parts."""

    def __init__(
        self,
        path: Path,
        config: GatewayConfig,
        *,
        registry: ToolRegistry,
        caller: ToolCaller,
        endpoint: ChatKitEndpoint,
        on_applied: Callable[[GatewayConfig], None] | None = None,
    ) -> None:
        self.path = path
        self.config = config
        """The configuration in effect."""
        self._registry = registry
        self._caller = caller
        self._endpoint = endpoint
        self._on_applied = on_applied
        self._lock = anyio.Lock()

    async def reload(self, trigger: str) -> ReloadReport:
        """Read the file again and apply it; `ConfigError` (nothing applied) if it is invalid."""
        async with self._lock:  # one reload at a time, in the order they were asked for
            try:
                new = load_config(self.path)
                # Templates are checked here, before anything changes.
                renderer = Renderer(new.render, new.config_dir)
            except ConfigError as exc:
                logger.error("config reload (%s) refused, the running configuration stays: %s", trigger, exc)
                raise
            old = self.config
            redactor = new.redactor()
            servers = await self._registry.reconfigure(new.mcp_servers, redactor=redactor)
            self._caller.renderer = renderer
            self._caller.redact = redactor
            self._endpoint.auth = Authenticator(new.auth)
            self._endpoint.origins = OriginPolicy(new)
            self._endpoint.max_body_bytes = new.server.max_body_bytes
            self.config = new
            if self._on_applied is not None:
                self._on_applied(new)
            report = ReloadReport(servers, _applied(old, new), _needs_restart(old, new))
            logger.info("config reloaded (%s): %s", trigger, report.summary())
            return report

    async def run(
        self, watch: bool = True, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Reload on SIGHUP and (with `watch`) on changes to the file or its templates, until cancelled."""
        # The watcher blocks in a thread that cancellation cannot reach; this event stops it
        # within one step, so the gateway stops at once instead of after the watcher's timeout.
        stop = anyio.Event()
        async with anyio.create_task_group() as tasks:
            await tasks.start(self._on_sighup)
            if watch:
                tasks.start_soon(self._watch, stop)
            task_status.started()
            try:
                await anyio.sleep_forever()
            finally:
                stop.set()

    async def _on_sighup(
        self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        try:
            receiver = anyio.open_signal_receiver(signal.SIGHUP)
            signals = receiver.__enter__()
        except (ValueError, RuntimeError):  # not the main thread (an embedding app): no signal
            task_status.started()
            return
        try:
            task_status.started()
            async for _signal in signals:
                await self._reload_logged("SIGHUP")
        finally:
            receiver.__exit__(None, None, None)

    async def _watch(self, stop: anyio.Event) -> None:
        """The file's directory, not the file (an editor or a Kubernetes ConfigMap replaces it),
        and the templates directory; both flat, so nothing else under them is watched."""
        config_file = self.path.resolve()
        names = {config_file.name, self.path.name, "..data"}  # ..data: a ConfigMap's atomic swap
        while not stop.is_set():
            templates = (self.config.config_dir / self.config.render.templates_dir).resolve()
            directories: list[Path] = [config_file.parent]
            if templates.is_dir() and templates != config_file.parent:
                directories.append(templates)

            def relevant(_change: object, path: str, templates: Path = templates) -> bool:
                changed = Path(path)
                return changed.name in names or (changed.parent == templates and changed.suffix == ".widget")

            moved = anyio.Event()  # the templates directory changed: watch the new one
            async for changes in _awatch(
                *directories,
                watch_filter=relevant,
                debounce=WATCH_DEBOUNCE_MS,
                recursive=False,
                stop_event=_Either(stop, moved),
            ):
                touched = {Path(path).name for _change, path in changes}
                await self._reload_logged("the file changed" if touched & names else "a template changed")
                if (self.config.config_dir / self.config.render.templates_dir).resolve() != templates:
                    moved.set()

    async def _reload_logged(self, trigger: str) -> None:
        try:
            await self.reload(trigger)
        except ConfigError:
            pass  # logged by reload(); the running configuration stays
        except Exception:
            logger.exception("config reload (%s) failed", trigger)


class _Either:
    """Set when either event is: what the watcher's thread looks at (`is_set`) between steps."""

    def __init__(self, first: anyio.Event, second: anyio.Event) -> None:
        self._events = (first, second)

    def is_set(self) -> bool:
        return any(event.is_set() for event in self._events)

    def set(self) -> None:
        for event in self._events:
            event.set()


def _awatch(*paths: Path, **options: Any) -> AsyncGenerator[set[tuple[Any, str]], None]:
    """watchfiles' `awatch`, imported on first use: the CLI's other commands never load it."""
    # Its `stop_event` type names trio's Event, unknown where trio is not installed.
    from watchfiles import awatch  # pyright: ignore[reportUnknownVariableType]

    return awatch(*paths, **options)


def _applied(old: GatewayConfig, new: GatewayConfig) -> list[str]:
    sections = ["render", "ui", "auth", "audit", "model", "client_tools"]
    changed = [s for s in sections if getattr(old, s) != getattr(new, s)]
    for key in ("allowed_hosts", "max_body_bytes"):
        if getattr(old.server, key) != getattr(new.server, key):
            changed.append(f"server.{key}")
    return changed


def _needs_restart(old: GatewayConfig, new: GatewayConfig) -> list[str]:
    changed: list[str] = []
    for path in _RESTART_ONLY:
        section, _, key = path.partition(".")
        before, after = getattr(old, section), getattr(new, section)
        if key:
            before, after = getattr(before, key), getattr(after, key)
        if before != after:
            changed.append(path)
    return changed
