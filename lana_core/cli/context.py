"""What every command shares: the consoles, the database, and output in table or JSON form."""

from __future__ import annotations

import json
import os
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import psycopg
from rich.console import Console

from lana_core.db import Database, UnitOfWork, resolve_database_url
from lana_core.db.migrate import pending
from lana_core.errors import LanaError

# Piped output is not squeezed to 80 columns (COLUMNS, when set, still wins).
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 140
console = Console(width=_WIDTH)  # data: stdout
err_console = Console(stderr=True)  # progress and messages: stderr


class AppContext:
    """user: the email given with ``--as`` (or LANA_USER): who the command acts as."""

    def __init__(self, user: str | None = None) -> None:
        self._db: Database | None = None
        self._app = None
        self.user = user

    def lana(self):  # type: ignore[no-untyped-def]
        """The application over the configured database (checked to be migrated)."""
        if self._app is None:
            from lana_core.app import AppConfig, Lana

            self._app = Lana(self.database(), AppConfig.from_env())
        return self._app

    def actor(self):  # type: ignore[no-untyped-def]
        """The operator acting, from ``--as EMAIL`` or LANA_USER."""
        if not self.user:
            raise LanaError("say who is acting: --as EMAIL (or set LANA_USER)")
        return self.lana().actor(self.user)

    def database(self, *, check_schema: bool = True) -> Database:
        if self._db is None:
            url = resolve_database_url()
            if check_schema:
                with psycopg.connect(url) as conn:
                    todo = pending(conn)
                if todo:
                    raise LanaError(
                        f"the database schema is not up to date ({len(todo)} migration(s) pending): "
                        "run `lana migrate`"
                    )
            self._db = Database(url)
        return self._db

    def unit_of_work(self) -> UnitOfWork:
        return self.database().unit_of_work()

    def emit(self, data: Any, fmt: str) -> None:
        """Print a plain data structure as JSON, or as a two-column table."""
        if fmt == "json":
            console.print_json(to_json(data))
            return
        from rich.table import Table

        table = Table(show_header=False, box=None)
        for key, value in data.items():
            table.add_row(str(key), str(value))
        console.print(table)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()


def to_json(data: Any) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, (UUID, Decimal)):
            return str(value)
        if isinstance(value, Enum):
            return value.value
        raise TypeError(f"cannot serialise {type(value).__name__}")

    return json.dumps(data, default=default)
