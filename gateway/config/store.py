"""The store's database URL, as the config accepts it: SQLite or PostgreSQL, given their async driver."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_STORE_URL = "sqlite+aiosqlite:///./data/gateway.db"

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


def parse_url(url: str) -> URL:
    """The URL with its async driver; ``ValueError`` saying what is accepted when it is neither."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            f"store URL {url!r} is not a database URL: expected sqlite+aiosqlite:///path/to/file.db "
            "or postgresql+asyncpg://user@host:port/db"
        ) from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ValueError(
            f"store URL {parsed.render_as_string(hide_password=True)!r} uses {parsed.drivername!r}: "
            "expected sqlite+aiosqlite:// or postgresql+asyncpg://"
        )
    parsed = parsed.set(drivername=driver)
    if driver.startswith("sqlite") and parsed.database in (None, "", ":memory:"):
        raise ValueError(
            f"store URL {url!r} names no file: expected sqlite+aiosqlite:///path/to/file.db "
            "(an in-memory database is private to one connection)"
        )
    return parsed
