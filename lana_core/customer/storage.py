"""Where document files live: a port, and an adapter that keeps them in a local folder.

A cloud bucket adapter implements the same three methods (and signs its links).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from lana_core.errors import InvalidInput, NotFound


class DocumentStorage(Protocol):
    def put(self, key: str, content: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalFolderStorage:
    """Files under ``root``, one per key; writes land whole (temporary file, then rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise InvalidInput(f"invalid storage key {key!r}")
        return path

    def put(self, key: str, content: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.exists():
            raise NotFound(f"document file {key} is not in storage")
        return path.read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
