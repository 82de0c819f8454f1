"""A PDF cache keyed by what a document holds, so only documents that changed are converted."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packgen.convert.conversion import Conversion
from packgen.convert.kept import runtime_dir, take_offices
from packgen.convert.office import start_offices
from packgen.convert.profile import SETTINGS
from packgen.convert.soffice import (
    Office,
    Patience,
    install_stamp,
    is_complete_pdf,
    soffice_version,
)
from packgen.files import read_json_object, write_atomic
from packgen.store import MAX_AGE, Store

log = logging.getLogger(__name__)

CACHE_DIR = Path(".cache") / "pdf"
VERSION_FILE = "libreoffice-version.json"
VERSION_TIMEOUT = 60.0  # seconds `soffice --version` may take at most (less with a shorter timeout)
FORMAT = "packgen-pdf-cache/1"
BROKEN = "Ignoring a broken cached PDF (%s); it will be converted again"
# What packgen asks LibreOffice for; change it whenever convert.client_command changes.
CONVERSION = f"soffice --headless --norestore --convert-to pdf ({SETTINGS})"
FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
    Path.home() / ".local/share/fonts",
)
_CORE = "docProps/core.xml"
_VOLATILE = re.compile(
    rb"<(dcterms:created|dcterms:modified|cp:lastPrinted|cp:revision)\b[^>]*>[^<]*</\1>"
)
# Fields that print a document's dates or properties: such a document is hashed as it is.
_FIELD = re.compile(rb'<w:instrText[^>]*>([^<]*)<|w:instr="([^"]*)"')
_DATE_FIELD = re.compile(rb"\b(CREATEDATE|SAVEDATE|PRINTDATE|EDITTIME|DOCPROPERTY|INFO)\b", re.I)


def document_key(path: Path, salt: str = "", *, normalise: bool = True) -> str:
    """Hash a document's content with `salt`; a .docx's volatile dates don't count."""
    digest = hashlib.sha256(f"{FORMAT}\n{salt}\n{path.suffix.lower()}\n".encode())
    if normalise and path.suffix.lower() == ".docx":
        with contextlib.suppress(zipfile.BadZipFile, OSError, KeyError):
            digest.update(_docx_content(path))
            return digest.hexdigest()
    digest.update(path.read_bytes())
    return digest.hexdigest()


def _docx_content(path: Path) -> bytes:
    """Return a .docx's parts by name, without zip entry times or core.xml's dates."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in sorted(archive.namelist())}
    if _CORE in parts and not any(_shows_properties(d) for n, d in parts.items() if n != _CORE):
        parts[_CORE] = _VOLATILE.sub(rb"<\1/>", parts[_CORE])
    return b"".join(_framed(name, data) for name, data in parts.items())


def _shows_properties(xml: bytes) -> bool:
    """Tell whether a part has a field that prints the document's dates or properties."""
    return any(_DATE_FIELD.search(a or b) for a, b in _FIELD.findall(xml))


def _framed(name: str, data: bytes) -> bytes:
    return f"{name}\0{len(data)}\0".encode() + data


def conversion_salt(libreoffice: str) -> str:
    """Say what, besides the document, shapes its PDF: LibreOffice's version, fonts, settings."""
    return "\n".join([CONVERSION, libreoffice, font_fingerprint()])


def cached_soffice_version(
    soffice: str, cache_root: Path, timeout: float = 60.0, patience: Patience | None = None
) -> str:
    """Return `soffice --version`, asked again only when the LibreOffice installation changes."""
    executable = shutil.which(soffice)
    if executable is None:
        return "unknown"
    stamp = install_stamp(Path(executable))
    path = cache_root / VERSION_FILE
    known = read_json_object(path)
    entry = known.get(executable)
    if isinstance(entry, dict) and entry.get("stamp") == stamp and "version" in entry:
        return str(entry["version"])
    version = soffice_version(soffice, timeout, patience)
    if version != "unknown":
        known[executable] = {"stamp": stamp, "version": version}
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(known, indent=2).encode())
    return version


def font_fingerprint(folders: Iterable[Path] = FONT_DIRS) -> str:
    """Fingerprint the installed fonts by their folders' times (adding a font changes one)."""
    digest = hashlib.sha256()
    for folder in folders:
        for root, dirs, _files in os.walk(folder):
            dirs.sort()
            with contextlib.suppress(OSError):
                digest.update(f"{root}:{os.stat(root).st_mtime_ns}\n".encode())
    return digest.hexdigest()


class PdfCache:
    """PDFs stored as `<root>/<key>.pdf` (a `Store`), each written whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.store = Store(root, ".pdf", "a PDF", BROKEN, log)

    def path(self, key: str) -> Path:
        return self.store.path(key)

    def get(self, key: str) -> Path | None:
        """Return the cached PDF for `key`, or None; a broken entry is removed, never served."""
        return self.store.find(key, is_complete_pdf)

    def put(self, key: str, pdf: Path) -> None:
        """Store a copy of `pdf` under `key`, through a temporary file moved into place."""
        if not is_complete_pdf(pdf):
            log.warning("Not caching %s: it is not a complete PDF", pdf.name)
            return
        try:
            data = pdf.read_bytes()
        except OSError as exc:
            log.warning("Could not cache %s: %s", pdf.name, exc)
            return
        self.store.put(key, data)

    def prune(self, max_age: float = MAX_AGE) -> int:
        """Remove the PDFs neither written nor served for `max_age` seconds; return how many."""
        return self.store.prune(max_age)


def installation(soffice: str) -> str:
    """Identify LibreOffice and the fonts without running it: its files' sizes and times."""
    executable = shutil.which(soffice)
    stamp = install_stamp(Path(executable)) if executable else f"{soffice} not found"
    return "\n".join([CONVERSION, stamp, font_fingerprint()])


@dataclass
class CachedConverter:
    """Convert documents to PDF through the cache, counting what LibreOffice really converted.

    LibreOffice's version (part of every key) is asked for only when a key is first needed.
    """

    cache: PdfCache
    soffice: str = "soffice"
    timeout: float = 180.0
    jobs: int = 2
    converted: int = 0  # documents LibreOffice converted
    reused: int = 0  # documents taken from the cache
    keep: float = 0.0  # seconds LibreOffice stays open after the build, for the next one
    offices: list[Office] = field(default_factory=list)  # started ahead or kept
    patience: Patience = field(default_factory=Patience)  # how often LibreOffice may still hang
    _version: str | None = None

    def start_ahead(self, count: int | None = None) -> None:
        """Start LibreOffices now, so that their start-up overlaps the work before conversion."""
        live = self.live_offices
        wanted = (self.jobs if count is None else count) - len(live)
        if wanted <= 0:
            return
        kept = take_offices(self.soffice, self.jobs - len(live), wanted, self.keep, self.jobs)
        self.offices = live + kept + start_offices(wanted - len(kept), self.soffice)

    def offices_wanted(self) -> int:
        """One LibreOffice per parallel run from clean; one for a rebuild (few documents change)."""
        return 1 if any(self.cache.root.glob("*.pdf")) else self.jobs

    @property
    def live_offices(self) -> list[Office]:
        return [office for office in self.offices if not office.closed]

    def close(self) -> None:
        """Stop every LibreOffice started ahead (used or not); kept ones stay open."""
        for office in self.offices:
            office.close()
        self.offices = []

    def __enter__(self) -> CachedConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def libreoffice(self) -> str:
        """Return `soffice --version`, remembered per installation (asked again on upgrade)."""
        if self._version is None:
            # Remembered per user where LibreOffice is kept (asking it starts a LibreOffice),
            # else beside the cache.
            folder = runtime_dir() or self.cache.root.parent
            timeout = min(self.timeout, VERSION_TIMEOUT)
            self._version = cached_soffice_version(self.soffice, folder, timeout, self.patience)
        return self._version

    @property
    def salt(self) -> str:
        return conversion_salt(self.libreoffice)

    @classmethod
    def for_output(
        cls, output: Path, soffice: str = "soffice", timeout: float = 180.0, keep: float = 0.0
    ) -> CachedConverter:
        """Return the converter whose cache lives in `output/.cache/pdf/`."""
        return cls(PdfCache(output / CACHE_DIR), soffice=soffice, timeout=timeout, keep=keep)

    @property
    def counts(self) -> tuple[int, int]:
        """Return (documents converted, documents taken from the cache)."""
        return self.converted, self.reused

    def has(self, doc: Path, *, normalise: bool = True) -> bool:
        """Tell whether `doc`'s PDF is in the cache."""
        return self.cache.get(self.key(doc, normalise=normalise)) is not None

    def key(self, doc: Path, *, normalise: bool = True) -> str:
        """Return the cache key of `doc` (a rendered .docx is normalised, a paper is not)."""
        return document_key(doc, self.salt, normalise=normalise)

    def __call__(
        self,
        docs: Sequence[Path],
        out_dir: Path,
        *,
        progress: Callable[[Path], None] | None = None,
        raw: Iterable[Path] = (),
    ) -> dict[Path, Path]:
        """Put each document's PDF at `out_dir/<stem>.pdf`, converting only cache misses.

        Documents in `raw` (papers as officers sent them) are keyed by their bytes as they are.
        """
        raw_set = {Path(p) for p in raw}
        with self.stream(out_dir, progress) as conversion:
            conversion.add([d for d in docs if Path(d) not in raw_set])
            conversion.add([d for d in docs if Path(d) in raw_set], raw=True)
            pdfs = conversion.finish()
        return {Path(d): pdfs[Path(d)] for d in docs}

    def stream(self, out_dir: Path, progress: Callable[[Path], None] | None = None) -> CachedStream:
        """Start a conversion that takes documents as they are ready (see `CachedStream`)."""
        return CachedStream(self, out_dir, progress)


class CachedStream:
    """A conversion through the cache: each document added is copied from the cache or handed
    to LibreOffice at once (packgen.convert.conversion.Conversion), while the build goes on
    rendering."""

    def __init__(
        self, converter: CachedConverter, out_dir: Path, progress: Callable[[Path], None] | None
    ) -> None:
        self.converter, self.out_dir, self.progress = converter, out_dir, progress
        self.salt = converter.salt
        self.order: list[Path] = []
        self.pdfs: dict[Path, Path] = {}
        self.keys: dict[Path, str] = {}  # the documents LibreOffice converts, by cache key
        self.conversion = Conversion(
            out_dir, converter.soffice, converter.timeout, converter.jobs, progress,
            converter.live_offices, converter.patience,
        )  # fmt: skip

    def __enter__(self) -> CachedStream:
        self.conversion.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.conversion.__exit__(*exc)

    def add(self, docs: Iterable[Path], *, raw: bool = False) -> None:
        """Take each document's PDF from the cache, or have LibreOffice convert it.

        `raw`: papers as officers sent them, keyed by their bytes (a rendered .docx is keyed by
        its content without the dates saved in it)."""
        missing = []
        self.out_dir.mkdir(parents=True, exist_ok=True)
        for doc in map(Path, docs):
            self.order.append(doc)
            key = document_key(doc, self.salt, normalise=not raw)
            cached = self.converter.cache.get(key)
            if cached is None:
                self.keys[doc] = key
                missing.append(doc)
                continue
            target = self.out_dir / f"{doc.stem}.pdf"
            try:
                shutil.copyfile(cached, target)
            except FileNotFoundError:  # pruned by another build since `get`: convert it
                log.debug("Cached PDF of %s went away; converting it", doc.name)
                self.keys[doc] = key
                missing.append(doc)
                continue
            self.pdfs[doc] = target
            self.converter.reused += 1
            if self.progress:
                self.progress(doc)
        self.conversion.add(missing)

    def finish(self) -> dict[Path, Path]:
        """Wait for LibreOffice, cache what it converted; return every document's PDF."""
        done = self.conversion.finish()
        if done:
            log.info("%d of %d documents changed and were converted", len(done), len(self.order))
        self.converter.converted += len(done)
        for doc, pdf in done.items():
            self.converter.cache.put(self.keys[doc], pdf)
            self.pdfs[doc] = pdf
        return {doc: self.pdfs[doc] for doc in self.order}
