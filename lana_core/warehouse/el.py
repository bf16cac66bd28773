"""Extract-load: the core's PostgreSQL into the warehouse raw layer, with Meltano.

``extract_load(database_url)`` runs ``meltano run tap-postgres target-duckdb`` (target-bigquery
in the ``prod`` environment) through ``scripts/meltano.sh``, which keeps Meltano and its plugins
in their own environment and installs them on first use. What is extracted and how it lands is
``meltano.yml``; in short: thirteen tables, incrementally on ``xact_id`` below the oldest running
transaction (ARCHITECTURE, contract 2), upserted on their keys into ``raw.<schema>_<table>`` of
``$LANA_WAREHOUSE_DIR/raw.duckdb``.

A run that is killed or fails leaves nothing the next run does not repair: the loader emits a
bookmark only after the rows before it are written, Meltano stores only the bookmarks the loader
emitted, and the rows written after the last bookmark are read again by the next run and
upserted over themselves.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
from psycopg.conninfo import conninfo_to_dict

from lana_core.config import PROJECT_ROOT, Settings
from lana_core.errors import LanaError

# The loader of each Meltano environment.
LOADERS = {"dev": "target-duckdb", "prod": "target-bigquery"}

# The PostgreSQL tables extracted, in the order the tap reads them; each lands as
# raw.<schema>_<table>.
TABLES = (
    "accounting.chart_nodes", "accounting.charts",
    "core.entities", "core.entity_versions", "core.events",
    "ledger.account_set_members", "ledger.account_sets", "ledger.accounts", "ledger.balance_history",
    "ledger.entries", "ledger.journals", "ledger.transactions", "price.prices",
)
STREAMS = tuple(t.replace(".", "_") for t in TABLES)

MELTANO = PROJECT_ROOT / "scripts" / "meltano.sh"
LOCK = PROJECT_ROOT / ".meltano" / "lana.lock"  # the lock scripts/meltano.sh takes
CATALOG_KEY = PROJECT_ROOT / ".meltano" / "lana-catalog.key"  # the database and columns last discovered
LOADER_PYTHON = PROJECT_ROOT / ".meltano" / "loaders" / "target-duckdb" / "venv" / "bin" / "python"

# target-duckdb's log line for each batch it writes: "Loading 123 rows into '"raw"."raw"."x"'".
_LOADING = re.compile(r"Loading (\d+) rows into '.*\"(\w+)\"'$")
# The last line of a Python traceback: "package.module.SomeError: what went wrong".
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit)\b: ?(.*)")


@dataclass(frozen=True)
class ELResult:
    """One run. rows: per warehouse table (``core_events``, ...), the rows written to it: new
    or changed ones, plus those of the last transaction the previous run read, which the tap
    reads again and the loader overwrites with themselves (in prod: the rows the tap read);
    seconds: the run's wall time, Meltano's start-up and the catalog discovery included (the wait
    for another run of this project to finish excluded)."""

    environment: str
    rows: dict[str, int]
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def warehouse_dir() -> Path:
    """``LANA_WAREHOUSE_DIR``, else ``warehouse/`` in the state folder (``LANA_HOME`` or .lana)."""
    configured = os.environ.get("LANA_WAREHOUSE_DIR")
    return Path(configured).resolve() if configured else Settings.from_env().home / "warehouse"


def tap_url(database_url: str) -> str:
    """The SQLAlchemy URL tap-postgres wants for a libpq URL or DSN. It insists on a host, a user
    and a password: a unix socket folder goes in the query (``?host=/run/...``) behind the
    placeholder host ``localhost``, and a server that asks for no password gets a placeholder."""
    params = {k: str(v) for k, v in conninfo_to_dict(database_url).items()}
    host = params.pop("host", "") or "/var/run/postgresql"
    port = params.pop("port", "")
    user = params.pop("user", "") or os.environ.get("PGUSER") or os.environ.get("USER") or "postgres"
    password = params.pop("password", "") or os.environ.get("PGPASSWORD") or "unused"
    dbname = params.pop("dbname", "") or user
    if host.startswith("/"):
        params = {"host": host, **({"port": port} if port else {}), **params}
        netloc = "localhost"
    else:
        netloc = f"{host}:{port}" if port else host
    query = f"?{urlencode(params)}" if params else ""
    return (f"postgresql+psycopg2://{quote(user, safe='')}:{quote(password, safe='')}@{netloc}/"
            f"{quote(dbname, safe='')}{query}")


def extract_load(
    database_url: str,
    *,
    environment: str = "dev",
    on_progress: Callable[[str, int], None] | None = None,
) -> ELResult:
    """Extract what changed in ``database_url`` since the last run into the warehouse of
    ``environment`` (dev: DuckDB; prod: BigQuery). ``on_progress(table, rows)`` is called as
    batches are written, with the rows written to that table so far (in prod: as the tap reports
    the rows it read). Raises LanaError, with the reason in one line, when the run fails; the
    warehouse then stays consistent and the next run catches up. Runs of this project take turns
    (they share Meltano's working folder)."""
    if environment not in LOADERS:
        raise LanaError(f"unknown environment {environment!r} (known: {', '.join(LOADERS)})")
    schema = _check_source(database_url)
    warehouse = warehouse_dir()
    (warehouse / "tmp").mkdir(parents=True, exist_ok=True)
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    env = _meltano_environment() | {
        "LANA_WAREHOUSE_DIR": str(warehouse),
        "LANA_MELTANO_LOCK_HELD": "1",
        "TAP_POSTGRES_SQLALCHEMY_URL": tap_url(database_url),
    }
    rows = dict.fromkeys(STREAMS, 0)
    with open(LOCK, "w") as lock:
        # Held by Meltano and its plugins too (the descriptor is inherited) until the last exits.
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = time.monotonic()  # the run's own time, not the wait for another's
        # Meltano reuses the tap's catalog while the tap's settings are unchanged, even when a
        # migration added a column: discover again (2 s) when the database or its columns changed.
        catalog_key = hashlib.sha256(f"{env['TAP_POSTGRES_SQLALCHEMY_URL']}\n{schema}".encode()).hexdigest()
        refresh = not CATALOG_KEY.exists() or CATALOG_KEY.read_text() != catalog_key
        # --force: a run that was killed is still "running" in Meltano's system database; the
        # lock is what keeps two runs apart.
        command = ["bash", str(MELTANO), "--log-format=json", f"--environment={environment}", "run", "--force",
                   *(["--refresh-catalog"] if refresh else []), "tap-postgres", LOADERS[environment]]
        incomplete = warehouse / "el.incomplete"
        if environment == "dev" and incomplete.exists():
            _drop_leftovers(warehouse)
        incomplete.touch()
        tail = _run(command, env, lock.fileno(), rows, environment == "dev", on_progress)
        if tail is not None:
            raise LanaError(f"extract-load failed: {tail}")
        incomplete.unlink()
        CATALOG_KEY.write_text(catalog_key)
    return ELResult(environment, rows, round(time.monotonic() - started, 3))


def _meltano_environment() -> dict[str, str]:
    """The environment variables Meltano and its plugins may use: their settings, the database's
    and the cloud's, certificates, proxies, locale. Not the rest of the shell's: Meltano copies
    the environment for every setting it resolves, thousands of times a run, and with the 40
    variables of a usual shell it spent 4 s more per run (measured: 6.4 s -> 2.6 s)."""
    names = {"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR", "SHELL"}
    prefixes = ("LC_", "LANA_", "MELTANO_", "TAP_", "TARGET_", "PG", "GOOGLE_", "GRPC_", "UV_", "PIP_",
                "SSL_", "PYTHON", "BIGQUERY_")
    return {k: v for k, v in os.environ.items()
            if k in names or k.startswith(prefixes) or k.upper().endswith(("_PROXY", "_CA_BUNDLE"))}


def _check_source(database_url: str) -> str:
    """Fail early, and clearly, on a database that is unreachable or not migrated; return the
    columns of the schemas the tap discovers, as text."""
    try:
        with psycopg.connect(database_url, connect_timeout=10) as conn:
            columns = conn.execute(
                "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema IN ('accounting', 'core', 'ledger', 'price') ORDER BY 1, 2, ordinal_position").fetchall()
    except psycopg.OperationalError as exc:
        raise LanaError(f"cannot reach the database: {str(exc).strip().splitlines()[0]}") from None
    present = {f"{s}.{t}" for s, t, column, _ in columns if column == "xact_id"}
    missing = [t for t in TABLES if t not in present]
    if missing:
        raise LanaError(f"the database lacks {', '.join(missing)}: run `lana migrate`")
    return "\n".join(" ".join(column) for column in columns)


def _run(command: list[str], env: dict[str, str], lock_fd: int, rows: dict[str, int], from_loader: bool,
         on_progress: Callable[[str, int], None] | None) -> str | None:
    """Run Meltano and count rows from its log: written, from target-duckdb's line for each
    batch (``from_loader``); else read, from the tap's record counts (at the end of each table and
    every minute; target-bigquery's log is not read). None on success, else why it failed,
    in one line. If this is interrupted (Ctrl-C, or on_progress raised), Meltano and its plugins
    are killed: what they had committed stays, the rest is done again by the next run."""
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, pass_fds=(lock_fd,), start_new_session=True,
    )
    errors: dict[str, str] = {}  # the last exception line of each plugin, and Meltano's own
    last_plain = ""  # the last line that is not Meltano's JSON log (scripts/meltano.sh, uv)
    finished = False
    try:
        assert process.stdout is not None
        for line in process.stdout:
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                last_plain = line.strip() or last_plain
                continue
            event = str(record.get("event", "")).strip()
            name = str(record.get("name") or "meltano")
            table, count = _counted(event, from_loader)
            if table:
                rows[table] = rows.get(table, 0) + count
                if on_progress:
                    on_progress(table, rows[table])
            elif exception := _EXCEPTION.match(event):
                errors[name] = exception.group(0)
            elif record.get("err"):
                errors["meltano"] = str(record["err"])
        finished = process.wait() == 0
        if finished:
            return None
        plugin_errors = [f"{name}: {message}" for name, message in errors.items() if name != "meltano"]
        # The first plugin that failed is the cause (the other one then fails on the broken pipe).
        reasons = plugin_errors or [errors.get("meltano") or last_plain
                                    or f"meltano exited with status {process.returncode}"]
        return reasons[0].splitlines()[0][:500]
    finally:
        if not finished and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _counted(event: str, from_loader: bool) -> tuple[str | None, int]:
    """The table and the rows a log line counts, if it is one that counts."""
    if from_loader:
        if loaded := _LOADING.search(event):
            return loaded.group(2), int(loaded.group(1))
    elif event.startswith("METRIC: ") and '"record_count"' in event:
        point = json.loads(event.removeprefix("METRIC: "))
        return point["tags"]["stream"].replace("-", "_"), int(point["value"])
    return None, 0


def _drop_leftovers(warehouse: Path) -> None:
    """After an interrupted run: target-duckdb loads each batch through a table ``main.tmp_<uuid>``
    and a CSV file, both removed once the batch is in; drop those a killed run left behind. (With
    the loader's own duckdb: a newer one could upgrade the file beyond what the loader reads.)"""
    for csv in (warehouse / "tmp").glob("tmp_*.csv"):
        csv.unlink()
    database = warehouse / "raw.duckdb"
    if not database.exists():
        return
    script = (
        "import duckdb, sys\n"
        "c = duckdb.connect(sys.argv[1])\n"
        "for (t,) in c.execute(\"SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' \"\n"
        "                      \"AND regexp_full_match(table_name, 'tmp_[0-9a-f_]{36}')\").fetchall():\n"
        "    c.execute(f'DROP TABLE main.\"{t}\"')\n"
    )
    done = subprocess.run([str(LOADER_PYTHON), "-c", script, str(database)], check=False, capture_output=True,
                          text=True)
    if done.returncode != 0:
        lines = (done.stderr.strip() or "no output").splitlines()
        raise LanaError(f"cannot clean up after the interrupted extract-load in {database}: {lines[-1]}")
