"""Bad, broken and hostile inputs for the robustness corpus: each helper damages a copy."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from lxml import etree
from pypdf import PdfReader, PdfWriter

MEETING = "2020-10-15"
PAPERS = f"papers/{MEETING}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

ENTITY_BOMB = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 if n > 2 else "")) * 10}">'.encode()
        for n in range(2, 10)
    )
    + b"]>\n"
)


@dataclass
class Case:
    """The folders one corpus row runs on, and the environment it runs with."""

    data: Path
    templates: Path
    output: Path
    tmp: Path  # TMPDIR of the run: LibreOffice profiles and temporary files go here
    work: Path  # the test's own scratch folder (fake soffice scripts, pid files)
    env: dict[str, str] = field(default_factory=dict)


Damage = Callable[[Case], dict]


def snapshot(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under a folder, by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def docx_text(path: Path) -> str:
    """Every run of text in a Word document, joined, whitespace folded."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return " ".join(" ".join(t.text or "" for t in root.iter(f"{W}t")).split())


def stray_processes(marker: Path) -> list[str]:
    """Processes whose command line names the test's own folder (its soffice, its profiles)."""
    found = subprocess.run(["pgrep", "-af", str(marker)], capture_output=True, text=True)
    return [ln for ln in found.stdout.splitlines() if "pgrep" not in ln]


# --- workbook damage -----------------------------------------------------------------------


def cell(book: str, ref: str, value, sheet: str | None = None) -> Damage:
    """Set one cell of a sample workbook (saved by openpyxl, as Excel would)."""

    def damage(case: Case) -> dict:
        wb = openpyxl.load_workbook(case.data / book)
        (wb[sheet] if sheet else wb.worksheets[0])[ref] = value
        wb.save(case.data / book)
        return {}

    return damage


def sheet_edit(book: str, change: Callable) -> Damage:
    def damage(case: Case) -> dict:
        wb = openpyxl.load_workbook(case.data / book)
        change(wb)
        wb.save(case.data / book)
        return {}

    return damage


def file_bytes(rel: str, content: bytes | Callable[[bytes], bytes], root: str = "data") -> Damage:
    """Replace a file under data/ or templates/ with bytes, or with a function of its bytes."""

    def damage(case: Case) -> dict:
        path = getattr(case, root) / rel
        old = path.read_bytes() if path.exists() else b""
        path.write_bytes(content(old) if callable(content) else content)
        return {}

    return damage


def remove(rel: str, root: str = "data") -> Damage:
    def damage(case: Case) -> dict:
        (getattr(case, root) / rel).unlink()
        return {}

    return damage


def empty_workbook(book: str) -> Damage:
    def damage(case: Case) -> dict:
        openpyxl.Workbook().save(case.data / book)
        return {}

    return damage


def hide_behind_stale_copy(book: str) -> Damage:
    """Put an old copy of the sheet first and hide it, as officers do with last year's log."""

    def change(wb) -> None:
        real = wb.worksheets[0]
        stale = wb.copy_worksheet(real)
        stale.title = "Old log"
        stale["B5"] = "STALE ROW FROM A HIDDEN SHEET"
        stale.sheet_state = "hidden"
        wb.move_sheet(stale, offset=-wb.index(stale))

    return sheet_edit(book, change)


def hide_only_sheet(book: str) -> Damage:
    def change(wb) -> None:
        wb.create_sheet("Cover")
        wb.worksheets[0].sheet_state = "hidden"

    return sheet_edit(book, change)


def replace_part(path: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of a zip (an .xlsx or .docx) in place."""
    with zipfile.ZipFile(path) as src:
        entries = [(i.filename, src.read(i.filename)) for i in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            dst.writestr(name, change(data) if name == part else data)


def entity_bomb(rel: str, part: str, root: str = "data") -> Damage:
    """Declare a billion-laughs entity in one XML part and use it in the first text run."""

    def bomb(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[-1].lstrip()
        return ENTITY_BOMB + re.sub(rb"(<(?:w:)?t(?: [^>]*)?>)", rb"\1&lol9;", body, count=1)

    def damage(case: Case) -> dict:
        replace_part(getattr(case, root) / rel, part, bomb)
        return {}

    return damage


def zip_bomb(rel: str, megabytes: int, root: str = "data") -> Damage:
    """Add a part of `megabytes` MB of zeros (it packs about 1000 to 1) to a workbook or .docx."""

    def damage(case: Case) -> dict:
        path = getattr(case, root) / rel
        block = bytes(1024 * 1024)
        with (
            zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
            archive.open("customXml/padding.bin", "w", force_zip64=True) as part,
        ):
            for _ in range(megabytes):
                part.write(block)
        return {}

    return damage


def big_action_log(rows: int, target: Path, source: Path) -> Path:
    """Write the sample action log with `rows` more actions, straight into the sheet XML."""
    xml = zipfile.ZipFile(source).read("xl/worksheets/sheet1.xml").decode()
    last = max(int(n) for n in re.findall(r'<row r="(\d+)"', xml))

    def row(r: int, values: list[str]) -> str:
        cells = "".join(
            f'<c r="{col}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
            for col, v in zip("ABCD", values, strict=False)
        )
        return f'<row r="{r}">{cells}</row>'

    parts = [row(last + 1, ["Meeting: 5 June 2019"])]
    for i in range(rows):
        ref = f"{1000 + i // 100}/{i % 100:02d}"
        parts.append(row(last + 2 + i, [ref, f"Bulk action number {i}", "LP", ""]))
    xml = xml.replace("</sheetData>", "".join(parts) + "</sheetData>")
    replace_part_to(source, target, "xl/worksheets/sheet1.xml", xml.encode())
    return target


def replace_part_to(source: Path, target: Path, part: str, content: bytes) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == part else src.read(info))


# --- templates -------------------------------------------------------------------------------


def template_text(name: str, old: str, new: str) -> Damage:
    """Replace text inside a template's document.xml (tags sit whole within one run)."""

    def damage(case: Case) -> dict:
        def change(xml: bytes) -> bytes:
            text = xml.decode()
            assert old in text, f"{old!r} not in {name}"
            return text.replace(old, new, 1).encode()

        replace_part(case.templates / name, "word/document.xml", change)
        return {}

    return damage


# --- papers ----------------------------------------------------------------------------------


def encrypted_pdf(rel: str) -> Damage:
    def damage(case: Case) -> dict:
        path = case.data / rel
        writer = PdfWriter(clone_from=PdfReader(path))
        writer.encrypt("secret", algorithm="AES-256")
        with path.open("wb") as stream:
            writer.write(stream)
        return {}

    return damage


def docx_part(rel: str, change: Callable[[bytes], bytes] | None) -> Damage:
    """Rewrite word/document.xml of a paper, or drop it when `change` is None."""

    def damage(case: Case) -> dict:
        path = case.data / rel
        with zipfile.ZipFile(path) as src:
            entries = [(i.filename, src.read(i.filename)) for i in src.infolist()]
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
            for name, data in entries:
                if name == "word/document.xml":
                    if change is None:
                        continue
                    data = change(data)
                dst.writestr(name, data)
        return {}

    return damage


def papers_cell(text: str) -> Damage:
    """Name a paper in item 10's Papers cell (forward_plan.xlsx › Forward Plan)."""

    def damage(case: Case) -> dict:
        wb = openpyxl.load_workbook(case.data / "forward_plan.xlsx")
        ws = wb.worksheets[0]
        row = _item_row(ws, 10)
        ws[f"F{row}"] = text
        wb.save(case.data / "forward_plan.xlsx")
        return {"cell": f"F{row}"}

    return damage


def _item_row(ws, number: int) -> int:
    """The row of an item of the 15 October agenda (the first numbered item after its heading)."""
    seen = False
    for cells in ws.iter_rows():
        first = str(cells[0].value or "")
        seen = seen or first.startswith("Meeting: 15 October 2020")
        if seen and first.strip() == str(number):
            return cells[0].row
    raise LookupError(number)


# --- the system ------------------------------------------------------------------------------


def fake_soffice(body: str) -> Damage:
    """Put a fake `soffice` in the test's folder and point PACKGEN_SOFFICE at it."""

    def damage(case: Case) -> dict:
        script = case.work / "soffice"
        script.write_text("#!/bin/sh\n" + body.format(work=case.work) + "\n")
        script.chmod(0o755)
        case.env["PACKGEN_SOFFICE"] = str(script)
        return {}

    return damage


def env(**values: str) -> Damage:
    def damage(case: Case) -> dict:
        case.env.update(values)
        return {}

    return damage


def both(*damages: Damage) -> Damage:
    def damage(case: Case) -> dict:
        found: dict = {}
        for d in damages:
            found.update(d(case))
        return found

    return damage


def output_under_a_file(case: Case) -> dict:
    """An output folder that can't be made even by root: its parent is a regular file."""
    blocker = case.work / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    case.output = blocker / "output"
    return {"output": str(case.output)}


def pids_alive(pid_file: Path) -> list[int]:
    """Pids listed in a file that are still running (zombies count as gone)."""
    if not pid_file.exists():
        return []
    alive = []
    for pid in (int(p) for p in pid_file.read_text().split()):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
        except (FileNotFoundError, IndexError):
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def wait_for(predicate: Callable[[], bool], proc: subprocess.Popen, limit: float = 120) -> None:
    """Poll until `predicate` holds; fail if the process ends first or the limit passes."""
    import time

    end = time.monotonic() + limit
    while not predicate():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "gave up waiting"
        time.sleep(0.05)


def packgen_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "packgen", *args]
