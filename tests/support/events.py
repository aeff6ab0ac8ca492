"""Wait on events, never poll: text written to a file (inotify), a process ending (pidfd).

Both block in `select` until the kernel reports the event (or the timeout passes): a test wakes
the moment the server writes its line or exits, and not before.
Linux only, as the tests already are (pgrep, /proc, runuser).
"""

from __future__ import annotations

import ctypes
import os
import select
import subprocess
import time
from pathlib import Path
from types import TracebackType

_libc = ctypes.CDLL(None, use_errno=True)
# <sys/inotify.h>: a write to a file in the watched directory, or a file created or moved into it.
_IN_MODIFY, _IN_CLOSE_WRITE, _IN_MOVED_TO, _IN_CREATE = 0x2, 0x8, 0x80, 0x100


def children(pid: int) -> list[int]:
    """The direct child processes of `pid`."""
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def alive(pid: int) -> bool:
    """Whether `pid` is running (a zombie has ended; only its parent has not reaped it yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    state = stat.read_text().split()[2] if stat.exists() else "X"
    return state not in ("Z", "X")


class ProcessEnd:
    """The end of process `pid`, to wait on; opened at once, so a later reuse of the pid cannot fool it."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self._fd = None  # it has ended (and been reaped) already

    def fileno(self) -> int | None:
        """A descriptor that `select` reports readable once the process has ended (None: it has)."""
        return self._fd

    def wait(self, timeout: float) -> bool:
        """Block until the process has ended (True) or `timeout` seconds passed (False)."""
        if self._fd is None:
            return True
        readable, _, _ = select.select([self._fd], [], [], timeout)
        return bool(readable)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ProcessEnd:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def wait_for_text(
    path: Path,
    text: str,
    *,
    timeout: float,
    process: subprocess.Popen[bytes] | None = None,
    since: int = 0,
) -> str:
    """Block until `text` is in the file at `path` past its first `since` characters; return the file's text.

    The file need not exist yet. Wakes on every write to it (inotify on its directory); if
    `process` (the writer) ends first, raises `RuntimeError` at once instead of waiting out
    `timeout`; `TimeoutError` if the text has not come within `timeout` seconds.
    """
    watch = _watch_directory(path.parent)
    end = ProcessEnd(process.pid) if process is not None else None
    try:
        exit_fd = end.fileno() if end is not None else None
        # Ended already: reaped by Popen (returncode set), or gone before its pidfd was opened.
        ended = process is not None and (process.returncode is not None or exit_fd is None)
        deadline = time.monotonic() + timeout
        while True:
            # Read after the watch is set: a write between the read and `select` still wakes it.
            content = path.read_text(errors="replace") if path.exists() else ""
            if text in content[since:]:
                return content
            if ended:
                assert process is not None
                raise RuntimeError(
                    f"{_name(process)} exited with {process.wait()} before writing {text!r} to {path}:\n"
                    f"{content[since:][-4000:]}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{text!r} did not appear in {path} within {timeout:g} s:\n{content[since:][-4000:]}"
                )
            waiting = [watch] if exit_fd is None else [watch, exit_fd]
            readable, _, _ = select.select(waiting, [], [], remaining)
            if watch in readable:
                _drain(watch)
            ended = exit_fd in readable
    finally:
        os.close(watch)
        if end is not None:
            end.close()


def _watch_directory(directory: Path) -> int:
    """An inotify descriptor, readable once a file in `directory` is written, created or moved in."""
    fd = _libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "inotify_init1 failed")
    mask = _IN_MODIFY | _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE
    if _libc.inotify_add_watch(fd, os.fsencode(directory), mask) < 0:
        errno = ctypes.get_errno()
        os.close(fd)
        raise OSError(errno, f"inotify_add_watch failed: {os.strerror(errno)}", str(directory))
    return fd


def _drain(fd: int) -> None:
    """Read the queued inotify events (what changed does not matter: the file is read again)."""
    try:
        while os.read(fd, 65536):
            pass
    except BlockingIOError:
        pass


def _name(process: subprocess.Popen[bytes]) -> str:
    args = process.args if isinstance(process.args, list | tuple) else [process.args]
    return " ".join(str(a) for a in args[:4])
