"""Rendered Word documents kept by what they were rendered from, so unchanged ones aren't redone."""

from __future__ import annotations

import functools
import hashlib
import io
import json
import logging
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any

from packgen import __version__
from packgen.render.context import Image, PageRefs, Record, Rich
from packgen.store import MAX_AGE, Store, code_digest

log = logging.getLogger(__name__)

FORMAT = "packgen rendered docx 1"  # change when what a key covers changes
CACHE_DIR = Path(".cache") / "docx"
BROKEN = "Ignoring a broken cached document (%s); it will be rendered again"


class Uncacheable(TypeError):
    """A context value the key can't describe faithfully: render it, don't cache it."""


@functools.cache
def render_salt() -> str:
    """The format, packgen's version and code, and the libraries' versions."""
    versions = [metadata.version(name) for name in ("docxtpl", "python-docx", "jinja2")]
    return "\n".join([FORMAT, __version__, code_digest(), *versions])


def render_key(
    template_digest: str, context: dict[str, Any], page_refs: PageRefs | None, *identity: str
) -> str | None:
    """Return the key of one rendering, or None when the context can't be described."""
    try:
        described = _describe(context)
    except (Uncacheable, OSError) as exc:  # an unexpected type, or a picture that can't be read
        log.debug("Not caching this rendering: %s", exc)
        return None
    refs = None if page_refs is None else [[k, list(v)] for k, v in sorted(page_refs.items())]
    text = json.dumps(
        [render_salt(), template_digest, described, refs, list(identity)],
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _describe(value: Any) -> Any:
    """Write a context value as JSON that tells apart everything a template could tell apart."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, Image):
        digest = hashlib.sha256(value.path.read_bytes()).hexdigest()
        return {"image": [value.path.name, digest, repr(float(value.height_mm)), value.alt]}
    if isinstance(value, Rich):
        return {"rich": [[r.text, r.bold, r.italic, r.underline] for r in value.runs]}
    if isinstance(value, Record):
        return {"record": _pairs(vars(value))}
    if isinstance(value, dict):
        return {"dict": _pairs(value)}
    if isinstance(value, list | tuple):
        return {type(value).__name__: [_describe(v) for v in value]}
    raise Uncacheable(f"a {type(value).__name__} in the context")


def _pairs(mapping: dict) -> list[list[Any]]:
    """Keep the order: a template looping over a mapping prints it in this order."""
    if not all(isinstance(k, str) for k in mapping):
        raise Uncacheable("a mapping with keys that are not strings")
    return [[k, _describe(v)] for k, v in mapping.items()]


class RenderCache:
    """Rendered .docx files stored as `<root>/<key>.docx` (a `Store`), each written whole."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = Store(root, ".docx", "a rendered document", BROKEN, log)
        self.hits = 0  # renderings served from the cache
        self.misses = 0  # renderings that had to be done

    @classmethod
    def for_output(cls, output: Path) -> RenderCache:
        """Return the cache that lives in `output/.cache/docx/`."""
        return cls(output / CACHE_DIR)

    def path(self, key: str) -> Path:
        return self.store.path(key)

    def get(self, key: str | None) -> bytes | None:
        """Return the cached document for `key`, or None; a broken entry is removed, not served."""
        data = self.store.read(key, is_complete_docx) if key is not None else None
        if data is None:
            self.misses += 1
        else:
            self.hits += 1
        return data

    def put(self, key: str | None, data: bytes) -> None:
        """Store a rendered document; a full disk or a read-only cache only costs speed."""
        if key is not None:
            self.store.put(key, data)

    def prune(self, max_age: float = MAX_AGE) -> int:
        """Remove the documents neither written nor served for `max_age` seconds; say how many."""
        return self.store.prune(max_age)


def is_complete_docx(data: bytes) -> bool:
    """Tell whether `data` is a whole zip holding a Word body, every entry's checksum right."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist() and archive.testzip() is None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return False
