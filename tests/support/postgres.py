"""A throwaway PostgreSQL cluster for tests and benchmarks, and pytest fixtures over it.

The cluster is Debian's server binaries (``/usr/lib/postgresql/<version>/bin``, installed by
``scripts/test-deps.sh``) run on a free loopback port with trust authentication, fsync off and
its data in a temporary directory that is removed afterwards. initdb refuses to run as root,
so as root the binaries run as the ``postgres`` OS user.

Fixtures (register once with ``pytest_plugins = ["tests.support.postgres"]``):

- ``postgres_cluster`` (session): the running ``PostgresCluster``.
- ``postgres_url`` (function): a ``postgresql+asyncpg://`` URL of a fresh, empty database.
- ``database_url`` (function, parametrized): a fresh SQLite file, then a fresh PostgreSQL
  database (marked ``postgres``), so one test covers both stores.

Outside pytest: ``with postgres_cluster_running() as cluster: url = cluster.create_database()``.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.support.net import free_port

PG_GLOB = "/usr/lib/postgresql/*/bin"
START_TIMEOUT_S = 60
_START_ATTEMPTS = 3  # a free port can be taken between choosing it and binding it


@dataclass
class PostgresCluster:
    """A running cluster: ``host``/``port`` on loopback, superuser ``postgres``, no password."""

    bin_dir: Path
    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy asyncpg URL of ``database`` in this cluster."""
        return f"postgresql+asyncpg://postgres@{self.host}:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (named ``test_<n>`` unless given) and return its URL."""
        name = name or f"test_{next(self._names)}"
        # FILE_COPY clones template1 by copying files: with fsync off, the fastest way.
        self.psql(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are ended); the data stays for `start()`."""
        self._pg_ctl("stop", "-m", "fast")

    def start(self) -> None:
        """Start a stopped server again on the same port and data."""
        self._pg_ctl("start")

    def restart(self) -> None:
        """Stop and start the server: every open connection to it dies."""
        self._pg_ctl("restart", "-m", "fast")

    def _pg_ctl(self, *args: str) -> None:
        root = self.data_dir.parent
        # -l: without a log file the server would inherit, and hold open, the caller's pipes.
        command: list[str | Path] = [self.bin_dir / "pg_ctl", "-D", self.data_dir, "-l", root / "server.log"]
        command += [
            "-o",
            _server_options(self.port, root / "sockets"),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            *args,
        ]
        _run(os.geteuid() == 0, root, command)

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one SQL command with psql and return its output; raise with psql's message if it fails."""
        psql = [str(self.bin_dir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        connect = ["-h", self.host, "-p", str(self.port), "-U", "postgres", "-d", database]
        done = subprocess.run(
            [*psql, *connect, "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed on {sql!r}: {done.stderr.strip()}")
        return done.stdout


def find_bin_dir() -> Path:
    """The newest installed PostgreSQL server's bin directory; ``RuntimeError`` saying how to install one."""
    found = sorted(glob.glob(PG_GLOB), key=_version_key)
    candidates = [Path(d) for d in found if (Path(d) / "initdb").exists() and (Path(d) / "pg_ctl").exists()]
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL server binaries not found (no initdb under {PG_GLOB}): "
            "run scripts/test-deps.sh to install Debian's postgresql package"
        )
    return candidates[-1]


@contextmanager
def postgres_cluster_running() -> Iterator[PostgresCluster]:
    """Start a throwaway cluster, yield it, then stop it and delete its files."""
    bin_dir = find_bin_dir()
    root = Path(tempfile.mkdtemp(prefix="pg-test-"))
    as_root = os.geteuid() == 0
    cluster: PostgresCluster | None = None
    try:
        data_dir, sockets, log = root / "data", root / "sockets", root / "server.log"
        sockets.mkdir()
        if as_root:
            for path in (root, sockets):
                shutil.chown(path, user="postgres", group="postgres")
        initdb = [bin_dir / "initdb", "-D", data_dir, "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        _run(as_root, root, [*initdb, "--locale=C", "--no-sync", "--no-instructions"])
        for attempt in range(_START_ATTEMPTS):
            port = free_port()
            pg_ctl = [bin_dir / "pg_ctl", "-D", data_dir, "-l", log, "-o", _server_options(port, sockets)]
            started = _run(as_root, root, [*pg_ctl, "-w", "-t", str(START_TIMEOUT_S), "start"], check=False)
            if started.returncode == 0:
                cluster = PostgresCluster(bin_dir=bin_dir, data_dir=data_dir, port=port)
                break
            if attempt == _START_ATTEMPTS - 1:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else started.stderr
                raise RuntimeError(f"PostgreSQL did not start on 127.0.0.1:{port}: {tail.strip()}")
        assert cluster is not None
        yield cluster
    finally:
        if cluster is not None:
            stop = [bin_dir / "pg_ctl", "-D", cluster.data_dir, "-m", "immediate", "-w", "stop"]
            _run(as_root, root, stop, check=False)
        shutil.rmtree(root, ignore_errors=True)


def _server_options(port: int, sockets: Path) -> str:
    return (
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )


def _run(
    as_root: bool, cwd: Path, argv: list[str | Path], *, check: bool = True
) -> subprocess.CompletedProcess[str]:
    # cwd: the postgres user cannot enter root's working directory, and pg_ctl insists on one.
    command = [str(a) for a in argv]
    if as_root:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=START_TIMEOUT_S + 30)
    if check and done.returncode != 0:
        raise RuntimeError(f"{Path(command[-len(argv)]).name} failed: {done.stderr.strip()}")
    return done


def _version_key(bin_dir: str) -> tuple[int, ...]:
    version = Path(bin_dir).parent.name
    return tuple(int(p) for p in version.split(".") if p.isdigit())


# -- pytest fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the whole test session (fails, never skips, if missing)."""
    try:
        find_bin_dir()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    with postgres_cluster_running() as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database for this test, dropped after it."""
    url = postgres_cluster.create_database()
    yield url
    # Each database is a few MB on disk; FORCE ends connections a failed test left open.
    postgres_cluster.psql(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store URL: a SQLite file in ``tmp_path``, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'store' / 'gateway.db'}"
    return request.getfixturevalue("postgres_url")
