"""Tie a stdio server's life to the gateway's: it must not outlive the gateway, even a SIGKILLed one.

A stdio server usually exits when its stdin closes, but one that is busy, or that ignores its
input, would run on after the gateway died (SIGKILL, OOM) with nobody left to stop it. On
Linux the gateway therefore starts each stdio server through this file, run as a script by
the gateway's own interpreter in isolated mode (`python -I -S tether.py PARENT_PID COMMAND
ARGS...`): it asks the kernel to SIGKILL it when the gateway dies (`PR_SET_PDEATHSIG`, which
survives exec), checks the gateway did not die in between, then execs the server in its
place. The server keeps the same process id, pipes, environment and working directory.

This file is also imported by the gateway for `tethered()`; as a script it uses nothing but
the standard library, since isolated mode sees no site-packages.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from mcp import StdioServerParameters

_PR_SET_PDEATHSIG = 1
_SIGKILL = 9


def tethered(parameters: StdioServerParameters) -> StdioServerParameters:
    """`parameters` that start the same server through the tether (Linux; elsewhere unchanged).

    A command that cannot be found is left as it is, so starting it fails the usual way
    ("command not found") rather than inside the tether.
    """
    if not sys.platform.startswith("linux"):
        return parameters
    command = _resolve(parameters.command, parameters.cwd, (parameters.env or {}).get("PATH"))
    if command is None:
        return parameters
    args = ["-I", "-S", __file__, str(os.getpid()), command, *parameters.args]
    return parameters.model_copy(update={"command": sys.executable, "args": args})


def _resolve(command: str, cwd: str | Path | None, path: str | None) -> str | None:
    """The executable `command` names, as the server's own exec would find it, or None."""
    import shutil  # here, not at the top: the script itself should start as fast as it can
    from pathlib import Path

    if os.sep in command:
        candidate = Path(command) if Path(command).is_absolute() else Path(cwd or ".") / command
        return str(candidate) if os.access(candidate, os.X_OK) and candidate.is_file() else None
    return shutil.which(command, path=path or os.environ.get("PATH"))


def _main(argv: list[str]) -> None:
    import ctypes

    parent, command = int(argv[1]), argv[2:]
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, _SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: run untethered rather than not at all
        pass
    if os.getppid() != parent:  # the gateway died before the tie was made
        os._exit(1)
    try:
        os.execv(command[0], command)
    except OSError as exc:
        print(f"cannot run {command[0]}: {exc.strerror}", file=sys.stderr)
        os._exit(127)


if __name__ == "__main__":
    _main(sys.argv)
