"""Write a large partnership for the scale benchmark, in the sample's workbook formats.

It starts from the sample in `data/` and grows it: more actions (open, under older meetings'
section rows), more cases in the tracker, more recommendations, and generated .docx papers (a few
pages each, written with python-docx) named in the 15 October 2020 agenda's Papers cells.
Deterministic: the same size gives the same workbooks and papers.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from docx import Document

MEETING = dt.date(2020, 10, 15)
PAPER_ITEMS = (20, 21, 28)  # forward_plan.xlsx rows of items 4, 5 and 12, which have no papers
VOCABULARY = (
    "partners agreed review safeguarding children learning practice agency referral assessment "
    "plan multi-agency panel chair report findings recommendation update training escalation "
    "health police education social care family support threshold early help strategy meeting "
    "audit quality assurance themes published delayed outcome evidence neglect exploitation"
)
WORDS = tuple(VOCABULARY.split())
LEADS = ("AL", "TDV", "JC", "EA", "LP", "Partnership Managers", "All")


@dataclass(frozen=True)
class Size:
    """How big a generated partnership is."""

    actions: int = 1000
    cases: int = 200
    recommendations: int = 60
    papers: int = 40
    paper_paragraphs: int = 24  # about three pages each

    def half(self) -> Size:
        return Size(
            self.actions // 2,
            self.cases // 2,
            self.recommendations // 2,
            self.papers // 2,
            self.paper_paragraphs,
        )


def write_partnership(sample: Path, target: Path, size: Size = Size()) -> Path:
    """Copy the sample data to `target` and grow it to `size`; return `target`."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(sample, target)
    rng = random.Random(f"{size}")
    _grow_action_log(target / "action_log.xlsx", size.actions, rng)
    _grow_tracker(target / "case_review_tracker.xlsx", size.cases, rng)
    _grow_recommendations(target / "scr_recommendations.xlsx", size.recommendations, rng)
    names = _write_papers(target / "papers" / MEETING.isoformat(), size, rng)
    _name_papers(target / "forward_plan.xlsx", names)
    return target


def _text(rng: random.Random, words: int) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(words))
    return body[0].upper() + body[1:] + "."


def _grow_action_log(path: Path, total: int, rng: random.Random) -> None:
    """Add open actions under older meetings' section rows until the log holds `total`."""
    book = openpyxl.load_workbook(path)
    sheet = book["Action Log"]
    have = sum(1 for (ref,) in sheet.iter_rows(min_col=1, max_col=1, values_only=True) if _ref(ref))
    number = 0
    for year in range(2019, 2000, -1):
        for month in (2, 4, 6, 9, 11):
            if have >= total:
                break
            sheet.append([f"Meeting: {dt.date(year, month, 10):%d %B %Y}"])
            for _ in range(min(20, total - have)):
                number += 1
                ref = f"{year}/{number % 999 + 1:03d}"
                sheet.append([ref, _text(rng, 18), rng.choice(LEADS), _text(rng, 14)])
                have += 1
    book.save(path)


def _ref(value: object) -> bool:
    return isinstance(value, str) and value[:4].isdigit() and "/" in value


def _grow_tracker(path: Path, total: int, rng: random.Random) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    have = sheet.max_row - 3
    for number in range(have, total):
        notified = dt.date(2015, 1, 5) + dt.timedelta(days=9 * number)
        sheet.append(
            [
                f"Child {number:03d}",
                f"{notified:%d/%m/%Y}",
                _text(rng, 16),
                rng.choice(("LBBD", "LBR", "LBH")),
                _text(rng, 30),
                f"{notified + dt.timedelta(days=120):%d %m %Y}",
                "N",
            ]
        )
    book.save(path)


def _grow_recommendations(path: Path, total: int, rng: random.Random) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    have = sheet.max_row - 7
    for _ in range(have, total):
        sheet.append([_text(rng, 25), *(_text(rng, 8) for _ in range(sheet.max_column - 1))])
    book.save(path)


def _write_papers(folder: Path, size: Size, rng: random.Random) -> list[str]:
    """Write the generated papers; return their file names."""
    names = []
    for number in range(1, size.papers + 1):
        name = f"Scale Paper {number:02d}.docx"
        document = Document()
        document.core_properties.created = dt.datetime(2020, 10, 1)
        document.add_heading(f"Scale Paper {number:02d}", level=1)
        for paragraph in range(size.paper_paragraphs):
            if paragraph % 6 == 0:
                document.add_heading(_text(rng, 4), level=2)
            document.add_paragraph(_text(rng, 70))
        document.save(folder / name)
        names.append(name)
    return names


def _name_papers(path: Path, names: list[str]) -> None:
    """Share the papers among agenda items that have none, in their Papers cells."""
    book = openpyxl.load_workbook(path)
    sheet = book["Forward Plan"]
    for index, row in enumerate(PAPER_ITEMS):
        mine = names[index :: len(PAPER_ITEMS)]
        sheet.cell(row=row, column=6, value="\n".join(mine) or None)
    book.save(path)


if __name__ == "__main__":  # pragma: no cover - a manual look at a generated partnership
    import sys

    out = write_partnership(Path("data"), Path(sys.argv[1] if len(sys.argv) > 1 else "scale"))
    print(out)
