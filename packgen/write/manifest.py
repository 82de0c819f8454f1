"""The pack's manifest.json: its sources with SHA-256, the versions, where each part sits."""

from __future__ import annotations

import json
import platform
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from packgen import __version__
from packgen.check import OWN_ADVICE, PAPER_ADVICE, not_tagged
from packgen.errors import Location, Problem
from packgen.files import read_json_object, sha256
from packgen.plan import MANIFEST, PACK_NAME, Layout, PackDocument, PackPlan, Part

if TYPE_CHECKING:
    from packgen.check import Prepared

MANIFEST_NAME = MANIFEST


def write_manifest(
    folder: Path,
    plan: PackPlan,
    parts: list[Part],
    layout: Layout,
    data: Path,
    templates: Path,
    prepared: Prepared,
    libreoffice: str = "unknown",
    reuse: dict | None = None,
) -> None:
    """Record what went in and where it sits: sources with SHA-256, versions, page ranges."""
    manifest = {
        "meeting": plan.meeting.date.isoformat(),
        "pack": PACK_NAME,
        "pages": layout.pages,
        "tagged_pack": prepared.settings.tagged_pack,
        "sha256": sha256(folder / PACK_NAME),
        "versions": {
            "packgen": __version__,
            "libreoffice": libreoffice,
            "python": platform.python_version(),
            "pypdf": metadata.version("pypdf"),
        },
        "items": _items(plan, layout),
        "documents": [_document(doc, layout, data) for doc in plan.documents],
        "sources": _sources(plan, prepared, data, templates),
        **(reuse or {}),  # what a rebuild compares to reuse this pack when nothing changed
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (folder / MANIFEST_NAME).write_text(text, encoding="utf-8")


def read_manifest(folder: Path) -> dict:
    """Return the manifest.json in `folder`, or {} when there is none or it can't be read."""
    return read_json_object(folder / MANIFEST_NAME)


def manifest_layout(manifest: dict) -> Layout:
    """Read back the page ranges a manifest records, as the build that wrote it laid them out."""
    return Layout(
        pages=manifest["pages"],
        documents={d["key"]: tuple(d["pages"]) for d in manifest["documents"]},
        items={i["number"]: tuple(i["pages"]) for i in manifest["items"] if i["pages"]},
        untagged=[d["key"] for d in manifest["documents"] if d.get("tagged") is False],
    )


def _items(plan: PackPlan, layout: Layout) -> list[dict]:
    return [
        {
            "number": item.number,
            "title": item.title,
            "pages": list(layout.items[item.number]) if item.number in layout.items else None,
            "documents": [doc.key for doc in plan.for_item(item.number)],
        }
        for item in plan.agenda.items
    ]


def _document(doc: PackDocument, layout: Layout, data: Path) -> dict:
    return {
        "key": doc.key,
        "title": doc.title,
        "item": doc.item.number if doc.item else None,
        "pages": list(layout.documents[doc.key]),
        "pdf": f"pdf/{doc.key}.pdf",
        "docx": None if doc.paper else f"documents/{doc.key}.docx",
        "restricted": doc.restricted,
        "tagged": doc.key not in layout.untagged,  # a screen reader can follow it
        "paper": relative_name(doc.paper.path, data, "data")[len("data/") :] if doc.paper else None,
    }


def untagged_warnings(manifest: dict) -> list[Problem]:
    """Warn of each document in a pack's manifest that a screen reader can't follow (none when
    the pack is built untagged on purpose: `tagged_pack = false`)."""
    warnings = []
    if manifest.get("tagged_pack") is False:
        return warnings
    for doc in manifest.get("documents", []):
        if doc.get("tagged") is not False:
            continue
        if doc.get("paper"):
            folder, _, name = str(doc["paper"]).rpartition("/")
            warnings.append(not_tagged(Location(folder or "data", name), PAPER_ADVICE))
        else:
            warnings.append(not_tagged(Location(PACK_NAME, doc["title"]), OWN_ADVICE))
    return warnings


def _sources(plan: PackPlan, prepared: Prepared, data: Path, templates: Path) -> list[dict]:
    """List every file read, named relative to its folder, never by an absolute path."""
    files = {Path(p) for p in prepared.partnership.sources}
    files |= {doc.paper.path for doc in plan.documents if doc.paper}
    files |= {templates / doc.template for doc in plan.documents if doc.template}
    files |= {doc.letter.signature for doc in plan.documents if doc.letter and doc.letter.signature}
    files |= set(prepared.settings.logos)
    files |= {data / "partnership.toml"} if (data / "partnership.toml").is_file() else set()
    named = {_source_name(f, data, templates): f for f in files if f.is_file()}
    return [{"file": name, "sha256": sha256(named[name])} for name in sorted(named)]


def _source_name(path: Path, data: Path, templates: Path) -> str:
    if path.resolve().is_relative_to(templates.resolve()):
        return relative_name(path, templates, "templates")
    return relative_name(path, data, "data")


def relative_name(path: Path, folder: Path, label: str) -> str:
    """Name a file as `label/relative/path`, or by its bare name outside the folder."""
    try:
        return f"{label}/{path.resolve().relative_to(folder.resolve()).as_posix()}"
    except ValueError:
        return path.name
