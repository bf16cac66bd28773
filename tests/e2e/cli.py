"""Running ``lana`` as an operator does: a separate process, with its environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = "root@bank.example"

# Variables of the developer's shell that would change what the commands do.
_UNSET = ("LANA_USER", "LANA_INLINE_CONSUMERS", "LANA_DEBUG", "PYTHONDONTWRITEBYTECODE")
# Each command is a new interpreter: without compiled bytecode, compiling the imports costs
# half of every run. Keep it outside the source tree, shared by every test run.
_PYCACHE = Path(tempfile.gettempdir()) / "lana-e2e-pycache"


def lana(*args: str, env: dict[str, str] | None = None, check: bool = True,
         timeout: float = 120) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in _UNSET}
    result = subprocess.run(
        [sys.executable, "-m", "lana_core.cli.main", *args],
        capture_output=True,
        text=True,
        env={**base, "COLUMNS": "160", "PYTHONPYCACHEPREFIX": str(_PYCACHE), **(env or {})},
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"lana {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


class Operator:
    """``lana --as EMAIL ...`` against one database: ``run`` checks success, ``json`` parses
    ``--format json`` output, ``refused`` expects the one-line refusal and returns its message."""

    def __init__(self, env: dict[str, str], email: str | None = ROOT) -> None:
        self.env = env
        self.email = email

    def as_(self, email: str | None) -> Operator:
        return Operator(self.env, email)

    def _args(self, args: tuple[str, ...]) -> tuple[str, ...]:
        return ("--as", self.email, *args) if self.email else args

    def run(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return lana(*self._args(args), env={**self.env, **(env or {})})

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return json.loads(self.run(*args, "--format", "json", env=env).stdout)

    def refused(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = lana(*self._args(args), env={**self.env, **(env or {})}, check=False)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1, f"expected a refusal, got {result.returncode}: {result.stderr}{result.stdout}"
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""
        return lines[0].removeprefix("error: ")


def new_customer(root: Operator, email: str = "jane@example.com") -> dict:
    return root.json("customer", "create", "--email", email, "--type", "individual",
                     "--first-name", "Jane", "--last-name", "Doe", "--nationality", "SV")


def new_account(root: Operator, email: str = "jane@example.com", deposit: str | None = None) -> tuple[dict, dict]:
    """A customer, their account, and a first deposit (in dollars) if given."""
    customer = new_customer(root, email)
    account = root.json("deposit", "open", customer["id"])
    if deposit:
        root.json("deposit", "record", account["id"], deposit)
    return customer, account
