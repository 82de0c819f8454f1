"""Workbooks' sheets kept by the bytes they were read from, so unchanged workbooks aren't re-read.

A build keeps them in `output/.cache/sheets/`, one JSON file per workbook name (never a pickle:
a cache file is data, not code). The key covers the workbook's bytes and name and the code and
openpyxl that read it, so an entry is only ever served for exactly what made it. `packgen check`
and `render` set no cache and read every workbook as always.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import math
import platform
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from packgen.read import workbook
from packgen.read.workbook import Cell, Sheet, get_column_letter
from packgen.store import MAX_AGE, Store, code_digest

log = logging.getLogger(__name__)

FORMAT = "packgen sheets 1"  # change when what an entry holds or how it is written changes
CACHE_DIR = Path(".cache") / "sheets"
_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_active: ContextVar[SheetCache | None] = ContextVar("sheet_cache", default=None)


class Uncacheable(TypeError):
    """A sheet holding what an entry can't write exactly: read it each time, don't cache it."""


def read_sheets(path: Path) -> list[Sheet]:
    """Return a workbook's sheets through the cache in use (see `caching`), else read it."""
    cache = _active.get()
    return workbook.read_sheets(path) if cache is None else cache.read(path)


@contextlib.contextmanager
def caching(root: Path) -> Iterator[SheetCache]:
    """Read workbooks through the cache in `root` while the block runs (in this thread)."""
    cache = SheetCache(root)
    token = _active.set(cache)
    try:
        yield cache
    finally:
        _active.reset(token)


@functools.cache
def cache_salt(code: str | None = None) -> str:
    """The format, the code that reads (packgen's, by default) and openpyxl's and Python's
    versions."""
    from importlib import metadata  # 25 ms to import, for builds only (they have it already)

    code = code_digest() if code is None else code
    return "\n".join([FORMAT, code, metadata.version("openpyxl"), platform.python_version()])


def entry_key(name: str, data: bytes, salt: str | None = None) -> str:
    """Return the key of a workbook named `name` holding `data`, read by this code."""
    described = [salt if salt is not None else cache_salt(), name, hashlib.sha256(data).hexdigest()]
    return hashlib.sha256(json.dumps(described).encode("utf-8")).hexdigest()


class SheetCache:
    """Sheets stored as `<root>/<name digest>-<key>.json`, each written whole or not at all."""

    def __init__(self, root: Path, salt: str | None = None) -> None:
        self.root = root
        self.store = Store(root, ".json", "a workbook's sheets", logger=log)
        self.salt = salt  # None: this code's (tests give another to stand for other code)
        self.hits: list[str] = []  # names of the workbooks that came from the cache
        self.misses: list[str] = []  # names of the workbooks read with openpyxl

    def read(self, path: Path) -> list[Sheet]:
        """Return the workbook's sheets from the cache, else read them and keep them."""
        try:
            data = path.read_bytes()
        except OSError:
            return workbook.read_sheets(path)  # fails as reading always has
        key = entry_key(path.name, data, self.salt)
        sheets = self._get(path.name, key)
        if sheets is not None:
            log.debug("%s: its sheets came from the cache", path.name)
            self.hits.append(path.name)
            return sheets
        log.debug("%s: changed or not cached, read with openpyxl", path.name)
        self.misses.append(path.name)
        sheets = workbook.read_sheets(path, data)  # a WorkbookError leaves nothing cached
        self._put(path.name, key, sheets)
        return sheets

    def path(self, name: str, key: str) -> Path:
        return self.store.path(f"{_name_digest(name)}-{key}")

    def _get(self, name: str, key: str) -> list[Sheet] | None:
        data = self.store.read(f"{_name_digest(name)}-{key}")
        if data is None:
            return None
        try:
            entry = json.loads(data, parse_constant=_no_constant)
            if entry["format"] != FORMAT or entry["key"] != key or entry["file"] != name:
                raise ValueError("written for another workbook")
            return [decode_sheet(name, sheet) for sheet in _list(entry["sheets"])]
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            log.debug("Ignoring the cached sheets %s: %s", self.path(name, key), exc)
            return None

    def _put(self, name: str, key: str, sheets: list[Sheet]) -> None:
        """Keep a workbook's sheets, in place of any earlier entry for its name."""
        try:
            entry = {
                "format": FORMAT,
                "key": key,
                "file": name,
                "sheets": [encode_sheet(name, s) for s in sheets],
            }
            text = json.dumps(entry, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError) as exc:  # Uncacheable, or a value JSON can't hold
            log.debug("Not caching the sheets of %s: %s", name, exc)
            return
        prefix = f"{_name_digest(name)}-"
        if self.store.put(prefix + key, text.encode("utf-8")):
            for old in self.store.keys(prefix):
                if old != prefix + key:
                    self.store.remove(old)

    def prune(self, max_age: float = MAX_AGE) -> int:
        """Remove the workbooks' entries neither written nor used for `max_age` seconds."""
        return self.store.prune(max_age)


def _name_digest(name: str) -> str:
    """A workbook's name as part of a file name: any name, any length."""
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def encode_sheet(name: str, sheet: Sheet) -> dict:
    """Write a sheet as JSON data; raise Uncacheable if it can't be written exactly."""
    if sheet.file != name:
        raise Uncacheable(f"a sheet of {sheet.file!r} read as {name!r}")
    rows = []
    for number, cells in enumerate(sheet.rows, start=1):
        for col, cell in enumerate(cells, start=1):
            if cell.coordinate != f"{get_column_letter(col)}{number}":
                raise Uncacheable(f"cell {cell.coordinate} in the place of another")
        rows.append([encode_value(cell.value) for cell in cells])
    return {
        "title": _str(sheet.title),
        "hidden": sheet.hidden,
        "uncached": sorted(_str(ref) for ref in sheet.uncached),
        "hyperlinks": [[_str(ref), _str(target)] for ref, target in sheet.hyperlinks.items()],
        "rows": rows,
    }


def decode_sheet(name: str, data: dict) -> Sheet:
    """Return the sheet `encode_sheet` wrote; raise ValueError or TypeError if it is not one."""
    rows = []
    for number, values in enumerate(_list(data["rows"]), start=1):
        rows.append(
            [
                Cell(f"{get_column_letter(col)}{number}", decode_value(value))
                for col, value in enumerate(_list(values), start=1)
            ]
        )
    hidden = data["hidden"]
    if type(hidden) is not bool:
        raise TypeError("hidden is not true or false")
    uncached = {_str(ref) for ref in _list(data["uncached"])}
    links = {_str(ref): _str(target) for ref, target in _list(data["hyperlinks"])}
    return Sheet(name, _str(data["title"]), rows, uncached, links, hidden)


def encode_value(value: object) -> object:
    """Write a cell's value as JSON, tagging each type JSON lacks so that it reads back exactly."""
    kind = type(value)
    if value is None or kind in (str, bool, int):
        return value
    if kind is float:
        return value if math.isfinite(value) else {"float": repr(value)}
    if kind in (dt.datetime, dt.time) and (value.tzinfo is not None or value.fold):
        raise Uncacheable(f"a {kind.__name__} with a time zone or fold: {value!r}")
    if kind in (dt.datetime, dt.date, dt.time):
        return {kind.__name__: value.isoformat()}
    if kind is dt.timedelta:
        return {"timedelta": [value.days, value.seconds, value.microseconds]}
    raise Uncacheable(f"a {kind.__name__} value: {value!r}")


def decode_value(value: object) -> object:
    """Return the value `encode_value` wrote; raise ValueError or TypeError if it is not one."""
    if type(value) is not dict:
        if isinstance(value, list):
            raise TypeError("a list in the place of a value")
        return value
    ((tag, text),) = value.items()
    if tag == "float":
        return _FLOATS[_str(text)]
    if tag == "datetime":
        return dt.datetime.fromisoformat(_str(text))
    if tag == "date":
        return dt.date.fromisoformat(_str(text))
    if tag == "time":
        return dt.time.fromisoformat(_str(text))
    if tag == "timedelta":
        days, seconds, microseconds = (_int(n) for n in _list(text))
        return dt.timedelta(days, seconds, microseconds)
    raise ValueError(f"unknown value tag {tag!r}")


def _str(value: object) -> str:
    if type(value) is not str:
        raise TypeError(f"{value!r} is not text")
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _list(value: object) -> list:
    if type(value) is not list:
        raise TypeError(f"{value!r} is not a list")
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")
