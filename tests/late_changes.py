"""The late changes the reissue tests make to a copy of the sample, after its pack is issued:
a late paper for item 8, a new update to action 2020/17, item 5 retitled."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

LATE_PAPER = "Late Paper - Safeguarding Audit"
ACTION = "2020/17"
NEW_UPDATE = "Audit completed; report to the December meeting."
NEW_TITLE = "Joint Working with the Violence Reduction Unit – Update"


def add_late_paper(data: Path, item_row: int = 24) -> Path:
    """Write a one-page Word paper and name it in item 8's Papers cell."""
    paper = data / "papers" / "2020-10-15" / f"{LATE_PAPER}.docx"
    document = docx.Document()
    document.add_heading(LATE_PAPER, level=1)
    document.add_paragraph("An audit of safeguarding referrals, sent in after the pack went out.")
    document.save(paper)
    _edit(data / "forward_plan.xlsx", lambda ws: _append(ws, f"F{item_row}", f"{paper.name}"))
    return paper


def change_action_update(data: Path, ref: str = ACTION, text: str = NEW_UPDATE) -> None:
    """Give an action of the action log a new update."""

    def edit(ws) -> None:
        row = next(c.row for c in ws["A"] if str(c.value).strip() == ref)
        ws[f"D{row}"] = text

    _edit(data / "action_log.xlsx", edit)


def retitle_item(data: Path, cell: str = "B21", title: str = NEW_TITLE) -> None:
    """Give item 5 of the agenda a new title."""
    _edit(data / "forward_plan.xlsx", lambda ws: ws.__setitem__(cell, title))


def restrict_item(data: Path, cell: str) -> None:
    """Mark an agenda item restricted (Restricted = Y)."""
    _edit(data / "forward_plan.xlsx", lambda ws: ws.__setitem__(cell, "Y"))


def _append(ws, cell: str, line: str) -> None:
    ws[cell] = f"{ws[cell].value}\n{line}"


def _edit(path: Path, change) -> None:
    book = openpyxl.load_workbook(path)
    change(book.worksheets[0])
    book.save(path)


def add_member(data: Path, name: str, email: str) -> None:
    """Add a member who receives the pack, joined since it was issued."""
    book = openpyxl.load_workbook(data / "meetings.xlsx")
    book["Members"].append([name, "NM", "Officer", "BHR CCGs", email, "Y", "member", "to"])
    book.save(data / "meetings.xlsx")


def withdraw_paper(data: Path, name: str, item_row: int = 24) -> None:
    """Take a paper out of item 8's Papers cell and out of the papers folder."""

    def edit(ws) -> None:
        lines = str(ws[f"F{item_row}"].value).split("\n")
        ws[f"F{item_row}"] = "\n".join(line for line in lines if line != name)

    _edit(data / "forward_plan.xlsx", edit)
    (data / "papers" / "2020-10-15" / name).unlink()
