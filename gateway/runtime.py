"""Running gateways on this machine, so `gateway reload` can reach the one serving a config file.

`gateway serve` writes `<runtime dir>/<port>.json` (pid, URL, config file, and a random
admin token) readable by its own user only, and removes it at exit. `gateway reload` finds
the gateways serving a config file there and asks each to reload over HTTP with the token,
so it gets the outcome back. The token is only in that file: whoever can read it is the
gateway's own user, who could send SIGHUP anyway.

The runtime dir is `$XDG_RUNTIME_DIR/mcp-chatkit-gateway`, else
`<tmp>/mcp-chatkit-gateway-<uid>`; it is refused if another user owns it or may write it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Generator
from dataclasses import asdict, dataclass
from pathlib import Path

from gateway.vocabulary.json import is_object


@dataclass(frozen=True)
class RunningGateway:
    """One `gateway serve` process, as its runtime file describes it."""

    pid: int
    url: str
    """Where its HTTP server answers, e.g. http://127.0.0.1:8000."""
    config: str
    """The absolute path of the config file it serves."""
    token: str
    """What POST /admin/reload asks for, as a bearer token."""


def runtime_dir() -> Path:
    """This user's directory for runtime files, created private if missing."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    path = (
        Path(base) / "mcp-chatkit-gateway"
        if base
        else Path(tempfile.gettempdir()) / f"mcp-chatkit-gateway-{os.getuid()}"
    )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise PermissionError(f"{path} is not a private directory of this user: remove it and start again")
    return path


@contextlib.contextmanager
def announced(config_file: Path, host: str, port: int) -> Generator[RunningGateway, None, None]:
    """Describe this process in the runtime dir for as long as the block runs."""
    dial = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    shown = f"[{dial}]" if ":" in dial else dial
    me = RunningGateway(
        pid=os.getpid(),
        url=f"http://{shown}:{port}",
        config=str(config_file.resolve()),
        token=secrets.token_urlsafe(32),
    )
    file = runtime_dir() / f"{port}.json"
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(asdict(me), out)
    try:
        yield me
    finally:
        with contextlib.suppress(OSError):
            if _read(file) == me:  # a newer gateway on the same port owns it now
                file.unlink()


def running(config_file: Path | None = None) -> list[RunningGateway]:
    """The gateways that are alive on this machine for this user, serving `config_file` if given."""
    wanted = str(config_file.resolve()) if config_file is not None else None
    found: list[RunningGateway] = []
    for file in sorted(runtime_dir().glob("*.json")):
        gateway = _read(file)
        if gateway is None or not _alive(gateway.pid):
            continue
        if wanted is None or gateway.config == wanted:
            found.append(gateway)
    return found


def _read(file: Path) -> RunningGateway | None:
    try:
        data = json.loads(file.read_text())
    except (OSError, ValueError):
        return None
    if not is_object(data):
        return None
    try:
        return RunningGateway(
            pid=int(data["pid"]), url=str(data["url"]), config=str(data["config"]), token=str(data["token"])
        )
    except (KeyError, TypeError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but another user's: not ours to reload
        return False
    return True
