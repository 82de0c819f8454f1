"""Small file helpers: a file's SHA-256, and writing a file whole or not at all."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path


def sha256(path: Path) -> str:
    """Return the SHA-256 of a file, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_json_object(path: Path) -> dict:
    """Return the JSON object in `path`, or {} when there is none, it can't be read or isn't one."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    return json_object(data)


def json_object(data: bytes | None) -> dict:
    """Return the JSON object `data` holds, or {} when it is None, not JSON or not an object."""
    try:
        value = json.loads(data) if data is not None else None
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def write_atomic(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` through a temporary file renamed into place, so it is never half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:  # mkstemp's file is private (0o600) unless told otherwise
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
