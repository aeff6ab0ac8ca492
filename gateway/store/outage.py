"""Whether the store's database answers, logged once where an outage starts and once where it ends.

While the database is down every request fails; a traceback, or even a line, per failed call
buries the one fact that matters (863 lines in 45 s were measured). So the first failure of an
outage logs one WARNING, ``store unavailable: <reason>``; later ones log at DEBUG; the first
call the database answers after it logs one INFO, ``store available again after N s``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)


class Outage:
    """The database's state as the last call found it: ``down``, ``reason`` and ``since`` for the HTTP layer."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """Start as available; ``clock`` gives seconds (monotonic) for the outage's length."""
        self._clock = clock
        self.reason: str | None = None
        """Why the last call failed, while the outage lasts (no SQL, no password); else ``None``."""
        self.since: float | None = None
        """The ``clock`` reading at the outage's first failure; ``None`` while available."""
        self.failed_calls = 0
        """How many calls failed in the current outage."""

    @property
    def down(self) -> bool:
        """True from a call's failure to reach the database until a later call reaches it."""
        return self.reason is not None

    def failed(self, reason: str) -> None:
        """Record that a call could not reach the database; only an outage's first failure warns."""
        if self.since is None:
            self.since = self._clock()
            logger.warning("store unavailable: %s", reason)
        else:
            logger.debug("store still unavailable: %s", reason)
        self.reason = reason
        self.failed_calls += 1

    def answered(self) -> None:
        """Record that the database answered a call; the first answer after an outage says so."""
        if self.since is None:
            return
        lasted, failed = self._clock() - self.since, self.failed_calls
        self.reason, self.since, self.failed_calls = None, None, 0
        logger.info("store available again after %.1f s (%d calls failed)", lasted, failed)
