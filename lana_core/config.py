"""Where Lana keeps its local state and which database it uses.

Settings come from the environment so that the same code runs on a laptop, in CI and in
production:

- ``LANA_DATABASE_URL``: a PostgreSQL URL. When unset, Lana runs its own embedded server.
- ``LANA_HOME``: the folder for local state (embedded database, report files). Defaults to
  ``.lana/`` at the project root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """home: local state folder; database_url: an external server, or None for the embedded one."""

    home: Path
    database_url: str | None

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("LANA_HOME") or PROJECT_ROOT / ".lana").resolve()
        return cls(home=home, database_url=os.environ.get("LANA_DATABASE_URL") or None)

    @property
    def pgdata(self) -> Path:
        """Data folder of the embedded PostgreSQL server."""
        return self.home / "pgdata"
