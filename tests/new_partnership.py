"""A partnership that isn't the sample: `packgen init`'s blank workbooks, filled in with openpyxl
by finding each heading row by its names, as a secretariat fills them in Excel."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from packgen.cli import cli

NAME = "Northshire Safeguarding Adults Board"
MEETING = dt.date(2026, 12, 10)
MEMBERS = [  # Name, Initials, Title, Agency, Email, Receives Pack, Role, Send As
    ["Pat Quinn", "PQ", "Independent Chair", "Northshire Council", "pat@northshire.example",
     "Y", "chair", "to"],
    ["Sam Okafor", "SO", "Board Manager", "Northshire Council", "sam@northshire.example",
     "Y", "member", "to"],
    ["Lee Varga", "LV", "Detective Superintendent", "Northshire Police", "lee@police.example",
     "Y", "member", "cc"],
]  # fmt: skip


def init(folder: Path, name: str = NAME) -> None:
    result = CliRunner().invoke(cli, ["init", str(folder), "--name", name])
    assert result.exit_code == 0, result.output


def fill(path: Path, sheet: str, headings: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Write rows under the heading row of `sheet`, each value under its heading, whatever the
    columns' order (the heading row found by its names)."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    for found in ws.iter_rows():
        names = {str(c.value).strip(): c.column for c in found if c.value is not None}
        if all(h in names for h in headings):
            break
    else:
        raise AssertionError(f"{path.name} › {sheet} has no heading row with {headings}")
    top = found[0].row
    for offset, row in enumerate(rows, start=1):
        for heading, value in zip(headings, row, strict=True):
            ws.cell(top + offset, names[heading], value)
    book.save(path)


def resave_with_calc(path: Path) -> None:
    """Replace a workbook with LibreOffice Calc's re-save of it, as an officer using Calc would."""
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", "xlsx", "--outdir", str(Path(tmp) / "out"), str(path)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        shutil.copyfile(Path(tmp) / "out" / path.name, path)


def fill_meetings(data: Path) -> None:
    fill(
        data / "meetings.xlsx",
        "Meetings",
        ["Date", "Start", "End", "Venue", "Chair", "Secretariat"],
        [
            [dt.datetime(2026, 9, 3), dt.time(10), dt.time(12), "Town Hall", "PQ", "SO"],
            [dt.datetime(2026, 12, 10), dt.time(10), dt.time(12), "Town Hall", "PQ", "SO"],
        ],
    )
    fill(
        data / "meetings.xlsx",
        "Members",
        ["Name", "Initials", "Title", "Agency", "Email", "Receives Pack", "Role", "Send As"],
        MEMBERS,
    )


def fill_agenda(data: Path, items: Sequence[Sequence[object]], date: dt.date = MEETING) -> None:
    """The forward plan: a 'Meeting:' row, then (Item, Agenda Item, Lead, Minutes, Papers)."""
    heading = f"Meeting: {date.day} {date:%B %Y}"
    fill(
        data / "forward_plan.xlsx",
        "Forward Plan",
        ["Item", "Agenda Item", "Lead", "Minutes", "Papers"],
        [[heading, None, None, None, None], *items],
    )
