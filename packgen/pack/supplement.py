"""A supplementary pack: a cover saying what changed, then only the new and replaced documents.

Each document is stamped with its item and "Supplement 1" on its first page, every page
"S1 page 2 of 5" in the footer, bookmarked under its item, tagged like the pack.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from packgen.pack.cover import Block, write_cover
from packgen.pack.merge import assemble, page_counts
from packgen.pack.structure import StructureCache
from packgen.plan import Layout, PackInfo, Part

log = logging.getLogger(__name__)

COVER_KEY = "00-supplement"
_INTRO = (
    "The papers below were added or replaced since the pack was issued; the full pack has been "
    "revised to match."
)
_NO_PAPERS = (
    "No paper was added or replaced since the pack was issued; the full pack has been revised "
    "to match."
)
MAX_COVER_ROUNDS = 4


@dataclass(frozen=True)
class Supplement:
    """What a supplement says: its number, the day of the issue it follows, and its lines."""

    number: int
    issued_on: str  # "3 December 2026"
    changes: Sequence[tuple[str, str | None]]  # a line, and the key of the document it sends
    pages: Sequence[str]  # the items whose pages moved in the revised pack

    @property
    def title(self) -> str:
        return f"Supplementary pack {self.number} to the pack issued on {self.issued_on}"

    @property
    def mark(self) -> str:
        return f"Supplement {self.number}"


def assemble_supplement(
    supplement: Supplement,
    parts: Sequence[Part],
    out: Path,
    info: PackInfo,
    structures: StructureCache | None = None,
) -> Layout:
    """Write the supplement of `parts` (the documents it sends, in pack order) to `out`."""
    sent = [replace(part, mark=supplement.mark) for part in parts]
    counts = page_counts(sent)
    cover = out.parent / ".cover" / f"{COVER_KEY}.pdf"
    pages = 1
    for _ in range(MAX_COVER_ROUNDS):  # the cover gives pages, which may lengthen the cover
        starts = _starts(sent, counts, pages)
        blocks = [Block("P", info.footer), *_blocks(supplement, starts)]
        written = write_cover(cover, blocks, supplement.title)
        if written == pages:
            break
        pages = written
    first = Part(COVER_KEY, cover, supplement.title)
    info = replace(
        info,
        title=f"{info.title} – {supplement.title}",
        subject=supplement.title,
        page_word=f"S{supplement.number} page",
        label_prefix=f"S{supplement.number}-",
    )
    layout = assemble([first, *sent], out, info, structures)
    shutil.rmtree(cover.parent, ignore_errors=True)
    log.info("Assembled %s: %d pages, %d documents", out.name, layout.pages, len(sent))
    return layout


def _starts(parts: Sequence[Part], counts: dict[str, int], cover: int) -> dict[str, int]:
    starts, page = {}, cover + 1
    for part in parts:
        starts[part.key] = page
        page += counts[part.key]
    return starts


def _blocks(supplement: Supplement, starts: dict[str, int]) -> list[Block]:
    blocks = [
        Block("H1", supplement.title),
        Block("P", _INTRO if starts else _NO_PAPERS),
        Block("H2", "What changed"),
    ]
    for line, key in supplement.changes:
        where = f" (S{supplement.number} page {starts[key]})" if key in starts else ""
        blocks.append(Block("P", f"{line}{where}", listed=True))
    if supplement.pages:
        blocks.append(Block("H2", "Pages that moved in the revised pack"))
        blocks += [Block("P", line, listed=True) for line in supplement.pages]
    return blocks
