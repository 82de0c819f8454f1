"""`packgen init`: a new partnership starts from blank workbooks and builds its own pack, in its
own folder, with only the workbooks its agenda uses and nothing of the sample."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import tomllib
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document
from new_partnership import (
    MEETING,
    NAME,
    fill,
    fill_agenda,
    fill_meetings,
    init,
    resave_with_calc,
)

from packgen.cli import cli
from packgen.commands import DEFAULT_TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data"
WORKBOOKS = [
    "action_log.xlsx", "case_review_tracker.xlsx", "forward_plan.xlsx", "letters.xlsx",
    "meetings.xlsx", "minutes.xlsx", "scr_recommendations.xlsx",
]  # fmt: skip
ITEMS = [  # Item, Agenda Item, Lead, Minutes, Papers
    [1, "Welcome and Apologies", "PQ", 5, None],
    [2, "Action Log", "SO", 10, "Action log"],
    [3, "Annual Report 2025-26", "LV", 20, "Annual Report.docx"],
    [4, "Forward Plan", "SO", 5, "Forward plan"],
    [5, "Any Other Business", "PQ", 5, None],
]


def sample_words() -> set[str]:
    """What of the sample partnership must never reach another's pack: its name, agencies and
    people, read from the sample itself."""
    settings = tomllib.loads((SAMPLE / "partnership.toml").read_text(encoding="utf-8"))
    words = {"BHR", "Barking", "Dagenham", "Havering", "Redbridge", "redbridge.gov.uk"}
    words |= {a["name"] for a in settings["agencies"]}
    members = openpyxl.load_workbook(SAMPLE / "meetings.xlsx", read_only=True)["Members"]
    rows = list(members.iter_rows(values_only=True))
    top = next(i for i, row in enumerate(rows) if "Name" in row)
    name = rows[top].index("Name")
    words |= {row[name] for row in rows[top + 1 :] if row[name]}
    return {w for w in words if isinstance(w, str) and len(w) > 2}


def run(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.chdir(folder)
    return CliRunner().invoke(cli, list(args))


def test_init_writes_a_partnership_folder_laid_out_as_packgen_expects(tmp_path: Path) -> None:
    init(tmp_path / "sab")
    data = tmp_path / "sab" / "data"
    assert sorted(p.name for p in data.glob("*.xlsx")) == WORKBOOKS
    assert (data / "papers").is_dir() and (data / "signatures").is_dir()
    templates = sorted(p.name for p in (tmp_path / "sab" / "templates").iterdir())
    assert templates == sorted(p.name for p in DEFAULT_TEMPLATES.iterdir())
    settings = (data / "partnership.toml").read_text(encoding="utf-8")
    assert tomllib.loads(settings)["name"] == NAME
    assert settings.count("\n#") > 10  # every setting explained


def test_blank_workbooks_are_ready_to_fill_in(tmp_path: Path) -> None:
    init(tmp_path / "sab")
    book = openpyxl.load_workbook(tmp_path / "sab" / "data" / "meetings.xlsx")
    assert book.sheetnames == ["Meetings", "Members", "Attendance", "Instructions"]
    members = book["Members"]
    assert NAME in members["A1"].value  # the title row
    headings = [c.value for c in members[2]]
    assert headings[:3] == ["Name", "Initials", "Title"]
    assert all(c.font.bold for c in members[2])
    assert members.freeze_panes == "A3"
    assert members.column_dimensions["A"].width > 15
    lists = {
        str(v.sqref).split(":")[0]: v.formula1 for v in members.data_validations.dataValidation
    }
    assert lists["G3"] == '"chair,member"' and lists["H3"] == '"to,cc"' and lists["F3"] == '"Y,N"'
    assert book["Meetings"]["A3"].number_format == "DD/MM/YYYY"
    assert book["Meetings"]["B3"].number_format == "HH:MM"
    instructions = [row for row in book["Instructions"].iter_rows(values_only=True) if row[0]]
    assert ("Send As", "to or cc (choose: to, cc)", "to") in instructions
    plan = openpyxl.load_workbook(tmp_path / "sab" / "data" / "forward_plan.xlsx")
    formulas = [v.formula1 for v in plan["Forward Plan"].data_validations.dataValidation]
    assert formulas == ['"Y,N"']  # Restricted
    for name, column in (("action_log.xlsx", "Status"), ("minutes.xlsx", "Style")):
        sheet = openpyxl.load_workbook(tmp_path / "sab" / "data" / name).worksheets[0]
        assert column in [c.value for c in sheet[2]]
        assert sheet.data_validations.dataValidation, f"{name}: {column} has no dropdown"


def test_check_in_a_new_folder_says_what_to_fill_in_first(tmp_path, monkeypatch) -> None:
    init(tmp_path / "sab")
    result = run(tmp_path / "sab", monkeypatch, "check")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0] == "Error: Nothing to build yet. Fill these in first, in this order:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "meetings.xlsx › Meetings",
        "meetings.xlsx › Members",
        "forward_plan.xlsx › Forward Plan",
    ]
    assert "Traceback" not in result.output


def test_init_never_overwrites_and_says_what_is_there(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "sab"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "meetings.xlsx").write_bytes(b"the officer's own")
    (folder / "templates").mkdir()
    (folder / "templates" / "letter.docx").write_bytes(b"an edited letter")
    result = CliRunner().invoke(cli, ["init", str(folder)])
    assert result.exit_code == 1
    assert "data/meetings.xlsx: exists" in result.output
    assert "templates/letter.docx: exists" in result.output
    assert "Traceback" not in result.output
    assert (folder / "data" / "meetings.xlsx").read_bytes() == b"the officer's own"
    assert (folder / "templates" / "letter.docx").read_bytes() == b"an edited letter"
    assert sorted(p.name for p in folder.rglob("*") if p.is_file()) == [
        "letter.docx",
        "meetings.xlsx",
    ]


def annual_report(path: Path) -> None:
    doc = Document()
    doc.add_heading("Annual Report 2025-26", 1)
    doc.add_paragraph("The board met four times and reviewed two cases.")
    doc.save(path)


@pytest.fixture(scope="module")
def started(tmp_path_factory) -> Path:
    """A new partnership: init, then only meetings, members, the action log and the agenda
    filled in; no tracker, letters, recommendations or minutes, and meetings.xlsx re-saved by
    LibreOffice Calc."""
    folder = tmp_path_factory.mktemp("adopt") / "northshire"
    init(folder)
    data = folder / "data"
    for unused in ("case_review_tracker", "letters", "scr_recommendations", "minutes"):
        (data / f"{unused}.xlsx").unlink()
    fill_meetings(data)
    resave_with_calc(data / "meetings.xlsx")
    fill(
        data / "action_log.xlsx",
        "Action Log",
        ["Ref", "Action", "Lead", "Update Comments", "Status"],
        [
            ["Meeting: 3 September 2026", None, None, None, None],
            ["2026/01", "Share the audit findings with partners", "SO", "Shared.", "Closed"],
            ["2026/02", "Draft the annual report", "LV", "In progress.", "Open"],
        ],
    )
    fill_agenda(data, ITEMS)
    (data / "papers" / MEETING.isoformat()).mkdir()
    annual_report(data / "papers" / MEETING.isoformat() / "Annual Report.docx")
    settings = data / "partnership.toml"
    text = settings.read_text(encoding="utf-8").replace(
        "keep_libreoffice = 600", "keep_libreoffice = 0"
    )
    settings.write_text(
        text + '\n[[agencies]]\nname = "Northshire Council"\nshort = "NC"\n', encoding="utf-8"
    )
    return folder


def test_a_new_partnership_checks_in_its_own_folder(started, monkeypatch) -> None:
    result = run(started, monkeypatch, "check")
    assert result.exit_code == 0, result.output
    assert f"{MEETING.day} {MEETING:%B %Y}" in result.output
    assert "will hold 5 items and 1 paper sent in" in result.output
    assert "not found" not in result.output and "does not exist" not in result.output


def test_a_new_partnership_builds_its_pack_with_nothing_of_the_sample(started, monkeypatch):
    result = run(started, monkeypatch, "build")
    assert result.exit_code == 0, result.output
    assert "default templates" not in result.output  # its own templates/ folder
    pack = started / "output" / MEETING.isoformat() / "meeting-pack.pdf"
    info = subprocess.run(["pdfinfo", str(pack)], capture_output=True, text=True, check=True)
    pages = int(
        next(line.split()[-1] for line in info.stdout.splitlines() if line.startswith("Pages"))
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(pack), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert NAME in text
    for number, title, *_ in ITEMS:
        assert title in text, f"item {number}"
    assert "Draft the annual report" in text  # the action log
    assert "The board met four times" in text  # the paper
    assert f"of {pages}" in text  # the page stamps
    leaked = sorted(w for w in sample_words() if w.casefold() in text.casefold())
    assert leaked == []
    manifest = json.loads((pack.parent / "manifest.json").read_text(encoding="utf-8"))
    sources = {s["file"] for s in manifest["sources"]}
    assert "data/action_log.xlsx" in sources and "templates/agenda.docx" in sources
    assert "data/case_review_tracker.xlsx" not in sources


def test_a_needed_but_missing_workbook_names_the_agenda_cell(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "sab"
    init(folder)
    data = folder / "data"
    (data / "case_review_tracker.xlsx").unlink()
    fill_meetings(data)
    fill_agenda(
        data,
        [
            [1, "Welcome", "PQ", 5, None],
            [2, "Case Review Tracker", "PQ", 10, "Case review tracker"],
        ],
    )
    result = run(folder, monkeypatch, "check", "--data", "data")
    assert result.exit_code == 1
    book = openpyxl.load_workbook(data / "forward_plan.xlsx")["Forward Plan"]
    cell = next(
        c.coordinate for row in book.iter_rows() for c in row if c.value == "Case review tracker"
    )
    assert (
        f"forward_plan.xlsx › Forward Plan › {cell}: item 2 names the case review tracker, but "
        f"data/case_review_tracker.xlsx does not exist"
    ) in result.output
    assert result.output.count("problem") == 1  # one problem: "1 problem stops the pack"


def test_a_present_workbook_is_still_checked_in_full(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "sab"
    init(folder)
    data = folder / "data"
    fill_meetings(data)
    fill_agenda(data, [[1, "Welcome", "PQ", 5, None]])
    fill(data / "letters.xlsx", "Letters", ["Key", "Item", "Date"], [["Bad Key!", 1, "31/02/2026"]])
    result = run(folder, monkeypatch, "check")
    assert result.exit_code == 1
    assert "letters.xlsx › Letters" in result.output


def test_the_dates_and_names_of_a_filled_workbook_read_as_typed(started) -> None:
    book = openpyxl.load_workbook(started / "data" / "meetings.xlsx")
    dates = [c.value for c in book["Meetings"]["A"] if isinstance(c.value, dt.datetime)]
    assert dates == [dt.datetime(2026, 9, 3), dt.datetime(2026, 12, 10)]


def test_nothing_of_the_sample_partnership_is_in_packgen_itself() -> None:
    """No sample name, agency, person or address in packgen's code, messages or templates:
    every such value comes from partnership.toml or the workbooks."""
    words = sample_words()
    found = []
    for path in sorted((ROOT / "packgen").rglob("*")):
        if path.suffix in (".py", ".txt"):
            texts = [path.read_text(encoding="utf-8")]
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                texts = [archive.read(n).decode("utf-8") for n in archive.namelist()
                         if n.endswith(".xml")]  # fmt: skip
        else:
            continue
        found += [f"{path.relative_to(ROOT)}: {w}" for w in words for t in texts
                  if w.casefold() in t.casefold()]  # fmt: skip
    assert sorted(set(found)) == []
