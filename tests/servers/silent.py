"""A stdio "server" that reads what it is sent and never answers, not even `initialize`.

    python -m tests.servers.silent

It stands for a server that hangs at start-up: a client waits on it until its own timeout.
It exits when its stdin closes, as a stdio server should.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Read stdin to its end, answering nothing."""
    for _line in sys.stdin.buffer:
        pass


if __name__ == "__main__":
    main()
