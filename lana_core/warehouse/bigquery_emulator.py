"""A local BigQuery: the ``bqemulator`` server (PyPI), in a virtual environment of its own.

BigQuery itself is out of reach from these machines; ``bqemulator`` answers BigQuery's REST API
(and the Storage Read/Write gRPC APIs) on top of DuckDB, so dbt-bigquery, google-cloud-bigquery
and Meltano's BigQuery loader can run against it offline. It needs duckdb 1.5.5 (the project
runs another), so it lives in ``<LANA_HOME>/bqemulator/venv``, installed from the pinned list in
``scripts/bq_emulator-requirements.txt``. Its DuckDB extensions (spatial, required at start;
avro) come from PyPI packages and are INSTALLed from their files into the emulator's own home
folder (``<LANA_HOME>/bqemulator/home``, the server's ``$HOME``), not the user's ``~/.duckdb``.

    with bigquery_emulator(project="lana-emulator") as bq:
        client = bq.client()          # google.cloud.bigquery.Client on bq.api_endpoint

``python -m lana_core.warehouse.bigquery_emulator install|start|stop|status|endpoint`` (what
``scripts/bq_emulator.sh`` runs) installs it, or runs one in the background for a shell.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lana_core.config import PROJECT_ROOT, Settings

REQUIREMENTS = PROJECT_ROOT / "scripts" / "bq_emulator-requirements.txt"
DEFAULT_PROJECT = "lana-emulator"
DEFAULT_REST_PORT = 9050
DEFAULT_GRPC_PORT = 9060
# The PyPI packages that carry DuckDB extensions for the emulator's duckdb (1.5.5).
EXTENSION_PACKAGES = ("duckdb_extension_spatial", "duckdb_extension_avro")


class EmulatorError(RuntimeError):
    """The emulator could not be installed or did not start; the message says why."""


@dataclass(frozen=True)
class Installation:
    """An installed emulator.

    root: its state folder; venv: its virtual environment; executable: the ``bqemulator``
    script; home: the ``$HOME`` it runs with (where its DuckDB extensions are installed).
    """

    root: Path
    venv: Path
    executable: Path
    home: Path


@dataclass(frozen=True)
class Emulator:
    """A running emulator.

    project: the default project id; rest_port / grpc_port: where it listens on 127.0.0.1;
    pid: its process (the leader of its own session); log: where its output goes.
    """

    project: str
    rest_port: int
    grpc_port: int
    pid: int
    log: Path

    @property
    def api_endpoint(self) -> str:
        """The REST endpoint: dbt's ``api_endpoint``, the client's ``client_options``."""
        return f"http://127.0.0.1:{self.rest_port}"

    @property
    def grpc_endpoint(self) -> str:
        """The Storage Read/Write API endpoint (plain gRPC, no TLS)."""
        return f"127.0.0.1:{self.grpc_port}"

    def client(self):
        """A ``google.cloud.bigquery.Client`` on this emulator, with anonymous credentials."""
        return bigquery_client(self.api_endpoint, self.project)

    def env(self) -> dict[str, str]:
        """The variables the ``bigquery_emulator`` dbt target reads."""
        return {"LANA_BQ_EMULATOR_ENDPOINT": self.api_endpoint, "LANA_BQ_EMULATOR_PROJECT": self.project}

    def loader_env(self, credentials_file: Path) -> dict[str, str]:
        """The variables that point a program using google-cloud-bigquery with default credentials
        (Meltano's target-bigquery: it has no endpoint setting) at this emulator.

        ``BIGQUERY_EMULATOR_HOST`` is the client's own override of its REST endpoint.
        ``GOOGLE_APPLICATION_CREDENTIALS`` names ``credentials_file``, written here: OAuth user
        credentials holding a dummy token that never expires, so google-auth sends it as it is
        and never asks Google for a new one (the emulator checks no token). The Storage Write
        API client has no such override (it always dials Google over TLS).
        """
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        credentials_file.write_text(json.dumps(_DUMMY_CREDENTIALS))
        return {"BIGQUERY_EMULATOR_HOST": self.api_endpoint,
                "GOOGLE_APPLICATION_CREDENTIALS": str(credentials_file),
                "GOOGLE_CLOUD_PROJECT": self.project}


# "authorized_user" credentials google-auth loads without a network call: with a token and an
# expiry, it refreshes only once the expiry is near (and the refresh token is never used).
_DUMMY_CREDENTIALS = {"type": "authorized_user", "client_id": "bqemulator", "client_secret": "bqemulator",
                      "refresh_token": "bqemulator", "token": "bqemulator-dummy-token",
                      "expiry": "2999-12-31T00:00:00Z"}


def bigquery_client(api_endpoint: str, project: str):
    """A BigQuery client for an emulator: anonymous credentials, the emulator's endpoint."""
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import bigquery

    return bigquery.Client(project=project, credentials=AnonymousCredentials(),
                           client_options=ClientOptions(api_endpoint=api_endpoint))


def state_dir() -> Path:
    return Settings.from_env().home / "bqemulator"


def installation(root: Path | None = None) -> Installation:
    root = root or state_dir()
    venv = root / "venv"
    return Installation(root=root, venv=venv, executable=venv / "bin" / "bqemulator", home=root / "home")


def ensure_installed(root: Path | None = None, *, log=None) -> Installation:
    """Install the emulator unless the same pinned set already is; returns where it is.

    Quick when installed (a stamp file and two paths are checked). Concurrent callers (two test
    runs, a shell and a test) wait on a file lock so only one installs.
    """
    inst = installation(root)
    inst.root.mkdir(parents=True, exist_ok=True)
    stamp = inst.root / "installed.stamp"
    wanted = _install_fingerprint()
    if _is_installed(inst, stamp, wanted):
        return inst
    with open(inst.root / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held until the file closes
        if _is_installed(inst, stamp, wanted):
            return inst
        _say(log, f"installing the BigQuery emulator into {inst.venv} ...")
        started = time.monotonic()
        stamp.unlink(missing_ok=True)
        _install_packages(inst)
        _install_extensions(inst)
        stamp.write_text(wanted)
        _say(log, f"BigQuery emulator installed in {time.monotonic() - started:.1f} s")
    return inst


def _say(log, message: str) -> None:
    if log is not None:
        log(message)


def _install_fingerprint() -> str:
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(sys.version.split()[0].encode())
    return digest.hexdigest()


def _is_installed(inst: Installation, stamp: Path, wanted: str) -> bool:
    return (stamp.is_file() and stamp.read_text() == wanted and inst.executable.is_file()
            and any(inst.home.glob(".duckdb/extensions/*/*/spatial.duckdb_extension")))


def _uv() -> str | None:
    bootstrap = PROJECT_ROOT / ".lana" / "bootstrap" / "bin" / "uv"
    return shutil.which("uv") or (str(bootstrap) if bootstrap.is_file() else None)


def _run(command: list[str], **kwargs) -> None:
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise EmulatorError(f"{' '.join(command)} failed ({result.returncode}):\n"
                            f"{result.stdout[-3000:]}{result.stderr[-3000:]}")


def _install_packages(inst: Installation) -> None:
    """The venv, with exactly the pinned set (uv when there is one, else venv + pip)."""
    python = inst.venv / "bin" / "python"
    uv = _uv()
    if uv:
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        # The Python running this (3.11, the project's), never one uv would pick elsewhere.
        _run([uv, "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(inst.venv)], env=env)
        _run([uv, "pip", "sync", "--quiet", "--python", str(python), str(REQUIREMENTS)], env=env)
    else:
        if not python.is_file():
            _run([sys.executable, "-m", "venv", str(inst.venv)])
        _run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "-r", str(REQUIREMENTS)])


# Run by the emulator's Python: INSTALL each extension from the file its PyPI package ships.
_INSTALL_EXTENSIONS = """
import importlib, pathlib, sys, duckdb
connection = duckdb.connect()
for package in sys.argv[1:]:
    folder = pathlib.Path(importlib.import_module(package).__file__).parent
    files = sorted(folder.glob("extensions/*/*.duckdb_extension"))
    if not files:
        sys.exit(f"no .duckdb_extension file in {folder}")
    for file in files:
        connection.execute(f"INSTALL '{file}'")
        connection.execute(f"LOAD {file.name.split('.')[0]}")
"""


def _install_extensions(inst: Installation) -> None:
    inst.home.mkdir(parents=True, exist_ok=True)
    _run([str(inst.venv / "bin" / "python"), "-c", _INSTALL_EXTENSIONS, *EXTENSION_PACKAGES],
         env=_server_env(inst))


def _server_env(inst: Installation) -> dict[str, str]:
    # DuckDB installs and looks for extensions under $HOME/.duckdb: the emulator's own home.
    return {**os.environ, "HOME": str(inst.home), "PYTHONUNBUFFERED": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _restore_default_signals() -> None:
    # Processes started from background shells here may inherit SIGINT/SIGTERM ignored; an
    # ignored signal stays ignored across exec, and then the server would not stop on them.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def launch(inst: Installation, *, project: str, rest_port: int, grpc_port: int, log: Path,
           gcs_local_root: Path | None = None, extra_env: dict[str, str] | None = None) -> Emulator:
    """Start a server in its own session (not waiting for it); see ``wait_until_ready``."""
    env = _server_env(inst) | (extra_env or {})
    if gcs_local_root is not None:
        env["BQEMU_GCS_LOCAL_ROOT"] = str(gcs_local_root)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(inst.executable), "start", "--rest-host", "127.0.0.1", "--rest-port", str(rest_port),
             "--grpc-host", "127.0.0.1", "--grpc-port", str(grpc_port), "--project", project,
             "--ephemeral", "--log-level", "warning"],
            env=env, cwd=inst.root, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_restore_default_signals,
        )
    return Emulator(project=project, rest_port=rest_port, grpc_port=grpc_port, pid=process.pid, log=log)


def answers(api_endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_endpoint}/healthz", timeout=2) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def wait_until_ready(emulator: Emulator, timeout: float = 60.0) -> None:
    """Wait until the REST API answers and the gRPC port accepts; raise if the server died."""
    deadline = time.monotonic() + timeout
    while True:
        if not _alive(emulator.pid):
            raise EmulatorError(f"the BigQuery emulator exited while starting:\n{_tail(emulator.log)}")
        if answers(emulator.api_endpoint) and _accepts(emulator.grpc_port):
            return
        if time.monotonic() > deadline:
            raise EmulatorError(f"the BigQuery emulator did not answer within {timeout:.0f} s:\n"
                                f"{_tail(emulator.log)}")
        time.sleep(0.1)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our child and exited
        if finished == pid:
            return False
    except ChildProcessError:
        pass  # not our child (started by another command): ask the kernel
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").is_file() and _state(pid) != "Z"


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "?"


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def terminate(pid: int, grace: float = 10.0) -> None:
    """Stop the server and everything in its session: SIGTERM, then SIGKILL by PID after grace."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(pid, sig)  # the server leads its own session and group
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.05)
    if _alive(pid):
        raise EmulatorError(f"the BigQuery emulator (pid {pid}) did not stop")


@contextmanager
def bigquery_emulator(project: str = DEFAULT_PROJECT, *, root: Path | None = None,
                      log: Path | None = None, gcs_local_root: Path | None = None,
                      timeout: float = 60.0) -> Iterator[Emulator]:
    """An emulator on free ports for the length of the block (installed first if needed).

    Each one is ephemeral (in memory): it starts empty and forgets everything when stopped.
    ``gcs_local_root`` resolves ``gs://bucket/path`` in load jobs to ``<root>/bucket/path``.
    """
    inst = ensure_installed(root)
    for attempt in range(3):  # a free port can be taken between choosing it and binding it
        rest_port, grpc_port = free_port(), free_port()
        if rest_port == grpc_port:
            continue
        emulator = launch(inst, project=project, rest_port=rest_port, grpc_port=grpc_port,
                          log=log or inst.root / "logs" / f"emulator-{rest_port}.log",
                          gcs_local_root=gcs_local_root)
        try:
            wait_until_ready(emulator, timeout)
            break
        except BaseException as error:
            terminate(emulator.pid)
            if isinstance(error, EmulatorError) and "address already in use" in str(error).lower() and attempt < 2:
                continue
            raise
    try:
        yield emulator
    finally:
        terminate(emulator.pid)
    if log is None:
        emulator.log.unlink(missing_ok=True)  # kept only when something failed


# --- A server in the background for a shell: `scripts/bq_emulator.sh start|stop|status` -------

def _server_file(inst: Installation) -> Path:
    return inst.root / "server.json"


def running(inst: Installation) -> Emulator | None:
    """The background server started by ``start``, if it is still up."""
    try:
        data = json.loads(_server_file(inst).read_text())
        emulator = Emulator(project=data["project"], rest_port=data["rest_port"],
                            grpc_port=data["grpc_port"], pid=data["pid"], log=Path(data["log"]))
    except (OSError, ValueError, KeyError):
        return None
    return emulator if _alive(emulator.pid) else None


def start_background(project: str, rest_port: int, grpc_port: int, timeout: float = 60.0) -> tuple[Emulator, bool]:
    """Start the background server unless it runs; returns it and whether it was started now."""
    inst = ensure_installed(log=lambda m: print(m, file=sys.stderr))
    current = running(inst)
    if current is not None:
        return current, False
    emulator = launch(inst, project=project, rest_port=rest_port, grpc_port=grpc_port,
                      log=inst.root / "logs" / "server.log")
    try:
        wait_until_ready(emulator, timeout)
    except BaseException:
        terminate(emulator.pid)
        raise
    _server_file(inst).write_text(json.dumps({
        "project": project, "rest_port": rest_port, "grpc_port": grpc_port, "pid": emulator.pid,
        "log": str(emulator.log)}))
    return emulator, True


def stop_background() -> bool:
    inst = installation()
    emulator = running(inst)
    _server_file(inst).unlink(missing_ok=True)
    if emulator is None:
        return False
    terminate(emulator.pid)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bq_emulator", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="install the emulator (quick when it is installed)")
    start = commands.add_parser("start", help="start a background emulator unless one runs")
    start.add_argument("--project", default=os.environ.get("LANA_BQ_EMULATOR_PROJECT", DEFAULT_PROJECT))
    start.add_argument("--port", type=int, default=int(os.environ.get("LANA_BQ_EMULATOR_PORT", DEFAULT_REST_PORT)))
    start.add_argument("--grpc-port", type=int,
                       default=int(os.environ.get("LANA_BQ_EMULATOR_GRPC_PORT", DEFAULT_GRPC_PORT)))
    commands.add_parser("stop", help="stop the background emulator")
    commands.add_parser("status", help="whether the background emulator runs, and where")
    commands.add_parser("endpoint", help="print the background emulator's REST endpoint")
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            inst = ensure_installed(log=lambda m: print(m, file=sys.stderr))
            print(inst.executable)
        elif args.command == "start":
            emulator, started = start_background(args.project, args.port, args.grpc_port)
            print(f"BigQuery emulator {'started' if started else 'already running'}: "
                  f"{emulator.api_endpoint} (gRPC {emulator.grpc_endpoint}), project {emulator.project}, "
                  f"pid {emulator.pid}, log {emulator.log}", file=sys.stderr)
            print(f"export LANA_BQ_EMULATOR_ENDPOINT={emulator.api_endpoint} "
                  f"LANA_BQ_EMULATOR_PROJECT={emulator.project}")
            # Meltano's loader on it (see test_bigquery_emulator.py for why these two methods).
            loader = emulator.loader_env(installation().root / "credentials.json")
            print("# meltano --environment=prod run tap-postgres target-bigquery on it: export "
                  + " ".join(f"{k}={v}" for k, v in loader.items())
                  + f" LANA_BQ_PROJECT={emulator.project} LANA_BQ_DATASET=raw LANA_BQ_CREDENTIALS_PATH="
                  " TARGET_BIGQUERY_METHOD=streaming_insert TARGET_BIGQUERY_UPSERT=false")
        elif args.command == "stop":
            print("stopped" if stop_background() else "not running", file=sys.stderr)
        elif args.command in ("status", "endpoint"):
            emulator = running(installation())
            if emulator is None:
                print("not running", file=sys.stderr)
                return 1
            if args.command == "endpoint":
                print(emulator.api_endpoint)
            else:
                print(f"running: {emulator.api_endpoint} (gRPC {emulator.grpc_endpoint}), project "
                      f"{emulator.project}, pid {emulator.pid}, answers: {answers(emulator.api_endpoint)}")
    except EmulatorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
