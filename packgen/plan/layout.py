"""Where each document sits in the pack: its parts, their page ranges, what the pack says.

Plain data, so that deciding whether a pack can be kept needs no PDF library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Part:
    """One document of the pack: the agenda (item None) or one of an item's documents."""

    key: str
    pdf: Path
    title: str  # its bookmark under the item: "Recommendations table"
    item: int | None = None
    item_title: str = ""  # "Case Review Recommendations"
    mark: str = ""  # stamped beside the item on its first page: "Revised", "Supplement 1"
    marking: str = ""  # its protective marking on every page: "OFFICIAL-SENSITIVE", or none


@dataclass(frozen=True)
class PackInfo:
    """What the pack says about itself: metadata and the footer line."""

    title: str  # "<partnership> – Meeting Pack – 15 October 2020"
    subject: str
    author: str  # the partnership
    footer: str  # "<partnership> – 15 October 2020"
    language: str = "en-GB"  # the pack's language, for screen readers
    tagged: bool = True  # keep each document's structure tree in the merged pack
    page_word: str = "Page"  # the footer's "Page 3 of 52"; a supplement's "S1 page 3 of 5"
    label_prefix: str = ""  # the PDF's page labels: "S1-" makes a supplement's S1-1, S1-2, …
    marking: str = ""  # the whole pack's protective marking, on the pages a part marks not


@dataclass
class Layout:
    """Where each document and each item sits in the pack, as 1-based page ranges."""

    pages: int
    documents: dict[str, tuple[int, int]] = field(default_factory=dict)
    items: dict[int, tuple[int, int]] = field(default_factory=dict)
    # The documents that came without a structure tree (not where anything sits: not compared).
    untagged: list[str] = field(default_factory=list, compare=False)


def plan_layout(parts: Sequence[Part], counts: dict[str, int]) -> Layout:
    """Work out each document's and each item's pages from the parts' page counts."""
    layout = Layout(pages=0)
    for part in parts:
        first = layout.pages + 1
        layout.pages += counts[part.key]
        layout.documents[part.key] = (first, layout.pages)
        if part.item is not None:
            start = layout.items.get(part.item, (first, 0))[0]
            layout.items[part.item] = (start, layout.pages)
    return layout
