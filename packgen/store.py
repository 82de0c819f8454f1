"""A content-addressed store: the mechanics the caches under `output/.cache/` share.

Each cache keeps its own key (what an entry is made from) and its own test of a whole entry;
a `Store` gives it the entry's path, an atomic put, a get that marks the entry used, and
pruning by age. A full disk or a read-only cache only ever costs speed.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import packgen
from packgen.files import write_atomic

log = logging.getLogger(__name__)

# An entry neither written nor served for this long is removed at the end of a build that
# made a new pack.
MAX_AGE_DAYS = 60
MAX_AGE = MAX_AGE_DAYS * 24 * 3600.0
# What files.write_atomic leaves if it is killed: `.<entry name>.<mkstemp's 8 letters>.tmp`.
_LEFTOVER = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp")
PACKAGE = Path(packgen.__file__).resolve().parent


@functools.cache
def code_digest() -> str:
    """Fingerprint packgen's own code (once per process): a change in any module counts."""
    return package_digest(PACKAGE)


def package_digest(package: Path) -> str:
    """Fingerprint the modules under `package`: each one's path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


class Store:
    """Entries stored as `<root>/<key><suffix>`, each written whole or not at all."""

    def __init__(
        self,
        root: Path,
        suffix: str,
        what: str,
        broken: str = "",
        logger: logging.Logger = log,
    ) -> None:
        self.root, self.suffix, self.what = root, suffix, what  # what: "a PDF", for messages
        self.broken = broken  # logged (with the entry's name) when an entry is found broken
        self.log = logger  # the owning cache's, so that its messages say where they come from

    def path(self, key: str) -> Path:
        return self.root / f"{key}{self.suffix}"

    def find(self, key: str, whole: Callable[[Path], bool] = Path.is_file) -> Path | None:
        """Return the entry's path if it is there and `whole`, marking it used; else None.

        An entry that is there but not whole is removed, never served."""
        path = self.path(key)
        if not path.is_file():
            return None
        if whole(path):
            touch(path)
            return path
        self._discard(path)
        return None

    def read(self, key: str, whole: Callable[[bytes], bool] = bool) -> bytes | None:
        """Return the entry's bytes if it is there and `whole`, marking it used; else None."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if whole(data):
            touch(path)
            return data
        self._discard(path)
        return None

    def put(self, key: str, data: bytes) -> bool:
        """Store `data` under `key`; say whether it was stored (a full disk only costs speed)."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path(key), data)
        except OSError as exc:
            self.log.warning("Could not cache %s in %s: %s", self.what, self.root, exc)
            return False
        return True

    def remove(self, key: str) -> None:
        with contextlib.suppress(OSError):
            self.path(key).unlink()

    def keys(self, prefix: str = "") -> list[str]:
        """Return the keys of the entries there, those starting with `prefix` if given."""
        names = (p.name for p in self.root.glob(f"{prefix}*{self.suffix}"))
        return sorted(n[: -len(self.suffix)] for n in names if _is_entry(n, self.suffix))

    def prune(self, max_age: float = MAX_AGE, now: float | None = None) -> int:
        """Remove the entries and atomic writes' leftovers older than `max_age`; say how many."""
        return prune(self.root, self.suffix, max_age, now)

    def _discard(self, path: Path) -> None:
        if self.broken:
            self.log.warning(self.broken, path.name)
        with contextlib.suppress(OSError):
            path.unlink()


def touch(path: Path) -> None:
    """Mark an entry as used now; a read-only cache, or an entry just pruned, is no matter."""
    with contextlib.suppress(OSError):
        os.utime(path)


def prune(folder: Path, suffix: str, max_age: float = MAX_AGE, now: float | None = None) -> int:
    """Remove `folder`'s entries (`*<suffix>`) and atomic writes' leftovers older than `max_age`.

    Return how many were removed. Nothing else in `folder` is touched, nothing below it, and
    a file that can't be removed (or a folder that can't be read) is left as it is."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not _is_entry(entry.name, suffix):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime <= max_age:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed += 1
    return removed


def _is_entry(name: str, suffix: str) -> bool:
    """Tell whether `name` is an entry ending in `suffix`, or a leftover of writing one."""
    leftover = _LEFTOVER.fullmatch(name)
    if leftover:
        name = leftover["name"]
    return name.endswith(suffix) and not name.startswith(".") and len(name) > len(suffix)
