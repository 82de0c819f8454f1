"""Cut a pack into parts on document boundaries, each a valid PDF with its own bookmarks."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from packgen.errors import DistributionError
from packgen.pack.tagged import TaggedPack

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Section:
    """A top-level bookmark and its pages up to the next one (0-based, end exclusive)."""

    title: str
    start: int
    end: int

    @property
    def pages(self) -> int:
        return self.end - self.start


def sections(reader: PdfReader) -> list[Section]:
    """Return the pack's documents from its top-level bookmarks; pages before the first go first."""
    starts: list[tuple[int, str]] = []
    for entry in reader.outline:
        if isinstance(entry, list):
            continue
        page = reader.get_destination_page_number(entry)
        if page is not None and page >= 0 and (not starts or page > starts[-1][0]):
            starts.append((page, str(entry.title)))
    total = len(reader.pages)
    if not starts or starts[0][0] > 0:
        starts.insert(0, (0, "Front pages"))
    ends = [page for page, _ in starts[1:]] + [total]
    return [Section(title, start, end) for (start, title), end in zip(starts, ends, strict=True)]


def write_part(reader: PdfReader, parts: list[Section], password: str | None = None) -> bytes:
    """Return a PDF of the given consecutive sections, with their bookmarks and pack page labels."""
    writer = PdfWriter()
    catalog = reader.trailer["/Root"]
    tree = TaggedPack(writer) if "/StructTreeRoot" in catalog else None  # tagged as the pack is
    for section in parts:
        start = len(writer.pages)
        writer.append(reader, pages=(section.start, section.end), import_outline=True)
        if tree is not None:
            tree.add_range(reader, start, section.start, section.end)
    first = parts[0].start
    writer.set_page_label(0, len(writer.pages) - 1, style="/D", start=first + 1)
    if reader.metadata:
        writer.add_metadata({k: str(v) for k, v in reader.metadata.items()})
    if tree is not None:
        title = str(reader.metadata.title) if reader.metadata and reader.metadata.title else ""
        tree.finish(str(catalog.get("/Lang", "")), title)
    if password:
        writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def section_sizes(reader: PdfReader) -> list[tuple[Section, int]]:
    """Return each section with the size in bytes of a PDF holding it alone."""
    return [(s, len(write_part(reader, [s]))) for s in sections(reader)]


def split_pack(
    reader: PdfReader, fits: Callable[[int], bool], password: str | None = None
) -> list[tuple[list[Section], bytes]]:
    """Group consecutive sections into as few parts as possible whose PDF size `fits`."""
    result: list[tuple[list[Section], bytes]] = []
    current: list[Section] = []
    current_pdf = b""
    for section in sections(reader):
        candidate = write_part(reader, [*current, section], password)
        if fits(len(candidate)):
            current, current_pdf = [*current, section], candidate
            continue
        if not current:
            raise DistributionError(
                f"'{section.title}' ({section.pages} pages, {mb(len(candidate))}) is too big "
                "for one message on its own, so the pack can't be split small enough; raise "
                "[email] max_message_mb or send that paper another way."
            )
        result.append((current, current_pdf))
        current = [section]
        current_pdf = write_part(reader, current, password)
        if not fits(len(current_pdf)):
            raise DistributionError(
                f"'{section.title}' ({section.pages} pages, {mb(len(current_pdf))}) is too "
                "big for one message on its own, so the pack can't be split small enough."
            )
    if current:
        result.append((current, current_pdf))
    log.info("split the pack into %d parts", len(result))
    return result


def mb(size: int) -> str:
    """Format a size in bytes as megabytes (1 MB = 1,000,000 bytes)."""
    return f"{size / 1_000_000:.1f} MB"


def write_parts(
    parts: list[tuple[list[Section], bytes]], folder: Path, stem: str
) -> list[tuple[Path, list[Section]]]:
    """Write numbered part files into `folder`, removing parts left by an earlier split."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{stem}-part-*.pdf"):
        old.unlink()
    written = []
    for number, (secs, data) in enumerate(parts, start=1):
        path = folder / f"{stem}-part-{number}-of-{len(parts)}.pdf"
        path.write_bytes(data)
        written.append((path, secs))
    return written
