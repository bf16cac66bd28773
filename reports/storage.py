"""Where a run's files are published, all together or not at all.

A run is published as ``<run id>/`` holding ``<norm>/<name>.<ext>`` for every output and
``manifest.json`` (see ``reports.run``). The port: ``publish(run_id)`` hands the run a fresh
local folder to write into; when the block ends without an error, everything in it is published
as that run; when it raises, nothing is.

- ``LocalFolder`` (default ``$LANA_HOME/reports``, else ``.lana/reports``): the run is written in
  a hidden staging folder beside the runs and renamed into place in one step, so a run folder
  either does not exist or is complete. (A crash can leave a staging folder under ``.staging/``,
  never a half-written run.)
- ``GcsBucket`` (google-cloud-storage, which dbt-bigquery installs): a bucket has no rename;
  the files are uploaded first and ``manifest.json`` last, so a run whose manifest is there is
  complete, and a reader trusts only those.

Publishing a run id that is already there again succeeds only when the files are the same
(a retried run); different files under the same id are refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from lana_core.config import Settings
from lana_core.errors import LanaError

MANIFEST = "manifest.json"
CONTENT_TYPES = {".csv": "text/csv", ".xml": "text/xml", ".json": "application/json",
                 ".pdf": "application/pdf",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class StorageError(LanaError):
    pass


class Storage(Protocol):
    def publish(self, run_id: str) -> Any:
        """A context manager giving a fresh folder for the run's files; on a clean exit they are
        published as ``run_id``, together; on an error, nothing is."""

    def location(self, run_id: str, path: str) -> str:
        """Where a published file is: ``path`` (``norm/name.ext``) of run ``run_id``."""


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class LocalFolder:
    """Runs as folders under ``root``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"LocalFolder({str(self.root)!r})"

    @classmethod
    def default(cls) -> LocalFolder:
        return cls(Settings.from_env().home / "reports")

    def location(self, run_id: str, path: str) -> str:
        return str(self.root / run_id / path)

    @contextmanager
    def publish(self, run_id: str) -> Iterator[Path]:
        _check_run_id(run_id)
        staging_root = self.root / ".staging"
        staging_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{run_id}.", dir=staging_root))
        try:
            yield staging
            for path in staging.rglob("*"):  # on disk before the run appears
                if path.is_file():
                    with open(path, "rb") as f:
                        os.fsync(f.fileno())
            target = self.root / run_id
            if target.exists():
                if _files(target) != _files(staging):
                    raise StorageError(f"report run {run_id} is already published at {target}, with other files")
                return  # the same files: a retried run, already published
            try:
                os.rename(staging, target)  # atomic: the run folder appears complete
            except OSError as error:
                if target.exists() and _files(target) == _files(staging):
                    return  # a concurrent retry published the same files first
                raise StorageError(f"could not publish report run {run_id} at {target}: {error}") from error
            _fsync_dir(self.root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_run_id(run_id: str) -> None:
    if not run_id or run_id.startswith(".") or "/" in run_id or "\\" in run_id:
        raise StorageError(f"{run_id!r} cannot name a run folder")


class GcsBucket:
    """Runs under ``gs://<bucket>/<prefix>/<run id>/``. ``client``: a
    ``google.cloud.storage.Client`` (default: one for the environment's credentials)."""

    def __init__(self, bucket: str, prefix: str = "reports", *, client: Any = None) -> None:
        if client is None:
            from google.cloud import storage

            client = storage.Client()
        self.bucket = client.bucket(bucket)
        self.prefix = prefix.strip("/")

    def __repr__(self) -> str:
        return f"GcsBucket(gs://{self.bucket.name}/{self.prefix})"

    def _key(self, run_id: str, path: str) -> str:
        return "/".join(p for p in (self.prefix, run_id, path) if p)

    def location(self, run_id: str, path: str) -> str:
        return f"gs://{self.bucket.name}/{self._key(run_id, path)}"

    @contextmanager
    def publish(self, run_id: str) -> Iterator[Path]:
        _check_run_id(run_id)
        with tempfile.TemporaryDirectory(prefix=f"lana-report-{run_id}.") as staging:
            folder = Path(staging)
            yield folder
            files = _files(folder)
            manifest = self.bucket.blob(self._key(run_id, MANIFEST))
            if manifest.exists():
                if manifest.download_as_bytes() != files.get(MANIFEST):
                    raise StorageError(f"report run {run_id} is already published at "
                                       f"{self.location(run_id, '')}, with other files")
                return
            # The manifest last: its presence says every file before it is there.
            for path in sorted(files, key=lambda p: p == MANIFEST):
                blob = self.bucket.blob(self._key(run_id, path))
                blob.upload_from_string(files[path], content_type=CONTENT_TYPES.get(Path(path).suffix,
                                                                                    "application/octet-stream"))


def from_environment(environment: str = "dev") -> Storage:
    """dev: the LocalFolder $LANA_HOME/reports (.lana/reports); prod: the bucket
    $LANA_REPORTS_BUCKET (under the prefix $LANA_REPORTS_PREFIX, default ``reports``)."""
    if environment == "prod":
        bucket = os.environ.get("LANA_REPORTS_BUCKET")
        if not bucket:
            raise LanaError("LANA_REPORTS_BUCKET is not set: prod reports go to a GCS bucket (see .env.template)")
        return GcsBucket(bucket, os.environ.get("LANA_REPORTS_PREFIX", "reports"))
    if environment == "dev":
        return LocalFolder.default()
    raise LanaError(f"unknown environment {environment!r} (known: dev, prod)")
