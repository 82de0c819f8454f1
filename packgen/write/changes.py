"""What changed since a pack was issued, document by document, in the officers' terms.

Two manifests are compared (the issued pack's and the built one's). A document is the same
document in both when it is the same paper file or the same document packgen writes (its key
without the `08b-` that places it), so a paper added before it doesn't make it new.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from packgen.files import read_json_object, write_atomic
from packgen.plan import MANIFEST
from packgen.write.differences import RESTRICTED, content_differences, item_differences


@dataclass(frozen=True)
class Change:
    """One thing that changed, as a member would say it: `2020/17: now Closed`."""

    item: int | None  # None: the agenda itself
    text: str
    document: str | None = None  # the key of a document added or replaced, in the built pack
    restricted: bool = False  # an item or paper restricted since it was issued
    added: bool = False  # `document` is new since the issue (else, when given, replaced)
    private: bool = False  # about a restricted document: its title stays out of public copies


@dataclass(frozen=True)
class PageMove:
    """An item whose papers sit on other pages than in the issued pack."""

    item: int
    old: tuple[int, int]
    new: tuple[int, int]


@dataclass
class Changes:
    """Everything that changed since an issue: the changes, then the items whose pages moved."""

    issue: int
    titles: dict[int, str]  # item number -> title, as the built pack has them
    changes: list[Change] = field(default_factory=list)
    pages: list[PageMove] = field(default_factory=list)
    issued_on: str = ""  # the day the issue went out: "3 December 2026"

    @property
    def documents(self) -> list[str]:
        """The keys of the documents added or replaced, in pack order, each once."""
        return list(dict.fromkeys(c.document for c in self.changes if c.document))

    @property
    def replaced(self) -> list[str]:
        """The keys of the documents that were in the issue and changed since."""
        added = {c.document for c in self.changes if c.added}
        return [key for key in self.documents if key not in added]

    def lines(self) -> list[str]:
        """The changes as lines, each naming its item."""
        return [f"{self.heading(c.item)}: {c.text}" for c in self.changes]

    def page_lines(self) -> list[str]:
        return [
            f"{self.heading(m.item)}: {pages_text(m.old)}, now {pages_text(m.new)}"
            for m in self.pages
        ]

    def heading(self, item: int | None) -> str:
        if item is None:
            return "Agenda"
        title = self.titles.get(item)
        return f"Item {item} – {title}" if title else f"Item {item}"

    def record(self) -> dict:
        """The changes as the manifest keeps them."""
        return {
            "since_issue": self.issue,
            "changes": [asdict(c) for c in self.changes],
            "pages": [{"item": m.item, "old": list(m.old), "new": list(m.new)} for m in self.pages],
        }


def pages_text(pages: tuple[int, int]) -> str:
    first, last = pages
    return f"p. {first}" if first == last else f"pp. {first}–{last}"


def compare(issued: dict, built: dict, issue: int) -> Changes:
    """Compare the manifest of the issued pack with the built pack's."""
    titles = {i["number"]: i["title"] for i in built.get("items", []) if i.get("number")}
    changes = Changes(issue, titles)
    old = {identity(d): d for d in issued.get("documents", [])}
    new = {identity(d): d for d in built.get("documents", [])}
    alone = {i["number"] for i in built.get("items", []) if len(i.get("documents", [])) == 1}
    for name, doc in new.items():
        changes.changes += _document_changes(old.get(name), doc, doc.get("item") in alone)
    for name, doc in old.items():
        if name not in new:
            changes.changes.append(
                Change(doc.get("item"), f"{_kind(doc)} withdrawn: {doc['title']}")
            )
    changes.pages = _page_moves(issued, built)
    return changes


def identity(doc: dict) -> str:
    """What makes a document the same in two packs: its paper file, else its key's name."""
    return str(doc.get("paper") or doc["key"].partition("-")[2] or doc["key"])


def _kind(doc: dict) -> str:
    return "paper" if doc.get("paper") else "document"


def _document_changes(old: dict | None, new: dict, alone: bool) -> list[Change]:
    """Say what changed in one document; `alone` when it is its item's only document (so its
    lines need not name it)."""
    item, key, title = new.get("item"), new["key"], new["title"]
    private = bool(new.get("restricted") or (old or {}).get("restricted"))
    if old is None:
        return [Change(item, f"{_kind(new)} added: {title}", key, added=True, private=private)]
    found: list[Change] = []
    if old.get("item") != item:
        found.append(Change(item, f"{title} moved from item {old.get('item')}", private=private))
    if new.get("restricted") and not old.get("restricted"):
        found.append(Change(item, f"{title} is now restricted", restricted=True, private=True))
    before, after = old.get("content"), new.get("content")
    if before is None or after is None or before == after:
        return found
    if new.get("paper"):
        return [*found, Change(item, f"paper replaced: {title}", key, private=private)]
    if item is None:  # the agenda: its own lines, each about an item; not sent again
        said = item_differences(before, after)
        return [*found, *(Change(None, t, restricted=t.endswith(RESTRICTED)) for t in said)]
    said = content_differences(before, after)
    named = [t if alone else f"{title}: {t}" for t in said]
    return [*found, *(Change(item, t, key, private=private) for t in named)]


def _page_moves(issued: dict, built: dict) -> list[PageMove]:
    old = {i["number"]: i.get("pages") for i in issued.get("items", [])}
    moves = []
    for item in built.get("items", []):
        before, after = old.get(item["number"]), item.get("pages")
        if before and after and list(before) != list(after):
            moves.append(PageMove(item["number"], tuple(before), tuple(after)))
    return moves


def record_changes(folder: Path, issued: dict | None, issue: int | None) -> Changes | None:
    """Add to the manifest in `folder` what changed since the last issue (when there is one)."""
    if issued is None or issue is None:
        return None
    path = folder / MANIFEST
    manifest = read_json_object(path)
    changes = compare(issued, manifest, issue)
    manifest["changes"] = changes.record()
    write_atomic(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
    return changes
