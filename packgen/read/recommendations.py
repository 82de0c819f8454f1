"""Case review recommendations: a header block of labels, then one row per recommendation."""

from __future__ import annotations

import re
from pathlib import Path

from packgen.errors import Problems
from packgen.model import CaseHeader, FuzzyDate, Recommendation, RecommendationsTable
from packgen.read import cells
from packgen.read.dates import DateError, parse_date
from packgen.read.workbook import Cell, Column, Table, normalise

FILE = "scr_recommendations.xlsx"
COLUMNS = (Column("text", ("Recommendation", "Recommendations")),)
NUMBER_HEADINGS = {"no", "number", "ref", "item"}
LABELS = {
    "case_type": ("Case Type", "Review Type"),
    "publication_date": ("Publication Date", "Published"),
    "lead_lscp": ("Lead LSCP", "Lead Partnership", "Lead SCP"),
    "title": ("Title and link to Report", "Title", "Report"),
    "comments": ("Comments", "Comment", "Notes"),
}
_LABELS = {normalise(n): key for key, names in LABELS.items() for n in names}
_URL = re.compile(r"https?://\S+")


def read_recommendations(
    data: Path, problems: Problems, required: bool = True
) -> RecommendationsTable | None:
    """Read the case header block and every recommendation with each agency's response."""
    sheets = cells.load(data, FILE, problems, required)
    table = cells.table(FILE, sheets, COLUMNS, problems) if sheets else None
    if table is None:
        return None
    text_col = table.columns["text"]
    agencies = [
        (col, name)
        for col, name in table.headings()
        if col != text_col and normalise(name) not in NUMBER_HEADINGS
    ]
    return RecommendationsTable(
        header=_header(table, problems),
        agencies=tuple(name for _, name in agencies),
        recommendations=_rows(table, agencies, problems),
    )


def _rows(
    table: Table, agencies: list[tuple[int, str]], problems: Problems
) -> tuple[Recommendation, ...]:
    found: list[Recommendation] = []
    for row in table.rows():
        text = row.text("text")
        responses = tuple((name, table.sheet.cell(row.number, col).text) for col, name in agencies)
        if found and text[:1].islower() and not any(r for _, r in responses):
            # A page break in the officer's copy split one recommendation over two rows.
            last = found[-1]
            found[-1] = Recommendation(
                last.number, f"{last.text} {text}", last.responses, last.location
            )
            continue
        text = cells.required(row, "text", problems)
        found.append(Recommendation(len(found) + 1, text, responses, row.where("text")))
    return tuple(found)


def _header(table: Table, problems: Problems) -> CaseHeader:
    """Read each label cell above the heading row and the first filled cell to its right."""
    values: dict[str, Cell] = {}
    for labels in table.sheet.rows[: table.header_row - 1]:
        for i, cell in enumerate(labels):
            key = _LABELS.get(normalise(cell.value))
            if key and key not in values:
                values[key] = next((c for c in labels[i + 1 :] if c.text), Cell(cell.coordinate))
    title = values.get("title", Cell("")).text
    link = table.sheet.hyperlinks.get(values.get("title", Cell("")).coordinate, "")
    url = _URL.search(title)
    if url:
        link = link or url.group(0)
        title = _URL.sub("", title).strip()
    return CaseHeader(
        case_type=values.get("case_type", Cell("")).text,
        publication_date=_publication(table, values.get("publication_date"), problems),
        lead_lscp=values.get("lead_lscp", Cell("")).text,
        title=title,
        link=link,
        comments=values.get("comments", Cell("")).text,
    )


def _publication(table: Table, cell: Cell | None, problems: Problems) -> FuzzyDate:
    if cell is None or not cell.coordinate:
        return FuzzyDate("")
    try:
        return parse_date(cell.value)
    except DateError as exc:
        problems.error(table.where(cell.coordinate), f"Publication Date: {exc}")
        return FuzzyDate(cell.text)
