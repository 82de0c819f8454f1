"""Low-level sheet access: open read-only, find the heading row by its names, walk the rows."""

from __future__ import annotations

import functools
import io
import logging
import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packgen.errors import Location, Problem, Severity
from packgen.limits import archive_problem

log = logging.getLogger(__name__)

HEADING_SCAN_ROWS = 40
SECTION = re.compile(r"^\s*meeting\s*:\s*(?P<heading>.*)$", re.IGNORECASE | re.DOTALL)
PLACEHOLDER = re.compile(r"\b(?:xx+)\b|\?\?\?", re.IGNORECASE)
EXCEL_ERRORS = {"#REF!", "#VALUE!", "#NAME?", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"}
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
MAX_COLUMN = 18278  # XFD, the last column Excel has


class WorkbookError(Exception):
    """A file that can't be read as an .xlsx workbook; carries the Problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def is_lock_file(path: Path) -> bool:
    """Excel's `~$…` and LibreOffice's `.~lock…` files sit beside open workbooks."""
    return path.name.startswith(("~$", ".~lock"))


@functools.cache
def get_column_letter(col: int) -> str:
    """Return a 1-based column's letters as Excel writes them (28 -> AB), as openpyxl does.

    Here, not imported from openpyxl: importing openpyxl takes ~0.1 s, and a build whose
    workbooks all come from the sheet cache (packgen.read.sheetcache) never needs it."""
    if not 1 <= col <= MAX_COLUMN:
        raise ValueError(f"Invalid column index {col}")
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def normalise(text: object) -> str:
    """Fold a heading for comparison: case, spacing and punctuation ignored."""
    return re.sub(r"[\W_]+", "", str(text or "").casefold())


def clean(value: object) -> str:
    """Return a cell's text: line breaks kept, spaces around lines and the text stripped."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    text = _CONTROL.sub("", text)  # never printed: a cell of only these is empty
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip()


@dataclass(frozen=True)
class Cell:
    coordinate: str
    value: object = None

    @functools.cached_property
    def text(self) -> str:
        return clean(self.value)


@dataclass
class Sheet:
    """One worksheet's values, with merged ranges filled from their top-left cell."""

    file: str
    title: str
    rows: list[list[Cell]]
    uncached: set[str] = field(default_factory=set)  # formulas saved without a value
    hyperlinks: dict[str, str] = field(default_factory=dict)
    hidden: bool = False  # hidden or very hidden in Excel

    def where(self, coordinate: str | None = None) -> Location:
        return Location(self.file, self.title, coordinate)

    def cell(self, row: int, col: int) -> Cell:
        """Return the cell at 1-based row and column, empty when outside the data."""
        cells = self.rows[row - 1] if 0 < row <= len(self.rows) else []
        if 0 < col <= len(cells):
            return cells[col - 1]
        return Cell(f"{get_column_letter(col)}{row}")


def read_sheets(path: Path, data: bytes | None = None) -> list[Sheet]:
    """Open a workbook read-only and return every worksheet's values; raise WorkbookError.

    With `data`, the file's bytes already read, those bytes are read and not the file again:
    what the sheet cache keys by its hash is exactly what was read."""
    import openpyxl  # here, not at the top: see get_column_letter

    where = Location(path.name)
    source = path if data is None else io.BytesIO(data)  # zipfile and openpyxl take either
    if data is None:
        with path.open("rb") as head:
            magic = head.read(4)
    else:
        magic = data[:4]
    if magic == _OLE_MAGIC:
        raise WorkbookError(
            Problem(where, "is password-protected or an old .xls file: save it as .xlsx")
        )
    refused = archive_problem(source, where) if zipfile.is_zipfile(source) else None
    if refused is not None:
        raise WorkbookError(refused)
    try:
        book = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except zipfile.BadZipFile as exc:
        raise WorkbookError(Problem(where, f"is not an .xlsx workbook ({exc})")) from exc
    # Broken files raise anything from KeyError to XML errors; each becomes one problem.
    except Exception as exc:  # noqa: BLE001
        raise WorkbookError(Problem(where, f"can't be read as a workbook ({exc})")) from exc
    try:
        return [_read_sheet(book, ws, path.name) for ws in book.worksheets]
    except Exception as exc:  # noqa: BLE001
        raise WorkbookError(Problem(where, f"is damaged and can't be read ({exc})")) from exc
    finally:
        book.close()


def _read_sheet(book, ws, file: str) -> Sheet:
    ws.reset_dimensions()  # some writers save a wrong size; read every row there is
    rows = [
        [Cell(f"{get_column_letter(c)}{r}", v) for c, v in enumerate(values, start=1)]
        for r, values in enumerate(ws.iter_rows(values_only=True), start=1)
    ]
    sheet = Sheet(file, ws.title, rows, hidden=getattr(ws, "sheet_state", "visible") != "visible")
    _read_extras(book, ws, sheet)
    return sheet


def _read_extras(book, ws, sheet: Sheet) -> None:
    """Read what read-only openpyxl skips: merged ranges, uncached formulas, hyperlinks."""
    from openpyxl.xml.functions import iterparse

    archive, path = book._archive, ws._worksheet_path
    merged: list[str] = []
    links: dict[str, str] = {}
    with archive.open(path) as src:
        for _, el in iterparse(src):
            if el.tag == f"{_NS}c":
                formula, value = el.find(f"{_NS}f"), el.find(f"{_NS}v")
                if formula is not None and (value is None or not value.text):
                    sheet.uncached.add(el.get("r"))
                el.clear()
            elif el.tag == f"{_NS}mergeCell":
                merged.append(el.get("ref"))
            elif el.tag == f"{_NS}hyperlink" and el.get(_REL_ID):
                links[el.get("ref")] = el.get(_REL_ID)
    _fill_merged(sheet, merged)
    if links:
        targets = _relationships(archive, path)
        for ref, rid in links.items():
            if rid in targets:
                sheet.hyperlinks[ref.split(":")[0]] = targets[rid]


def _relationships(archive: zipfile.ZipFile, path: str) -> dict[str, str]:
    from openpyxl.xml.functions import iterparse

    folder, name = posixpath.split(path)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.namelist():
        return {}
    with archive.open(rels) as src:
        return {el.get("Id"): el.get("Target") for _, el in iterparse(src) if el.get("Id")}


def _fill_merged(sheet: Sheet, ranges: Sequence[str]) -> None:
    """Give every cell of a merged range the top-left value, as a reader of the sheet sees it."""
    from openpyxl.utils import range_boundaries

    for ref in ranges:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        value = sheet.cell(min_row, min_col).value
        for r in range(min_row, max_row + 1):
            while len(sheet.rows) < r:
                sheet.rows.append([])
            row = sheet.rows[r - 1]
            while len(row) < max_col:
                row.append(Cell(f"{get_column_letter(len(row) + 1)}{r}"))
            for c in range(min_col, max_col + 1):
                row[c - 1] = Cell(row[c - 1].coordinate, value)


@dataclass(frozen=True)
class Column:
    """A column the reader needs: its key, the headings it goes by, and whether it must exist."""

    key: str
    names: tuple[str, ...]
    required: bool = True

    def matches(self, heading: str) -> bool:
        return normalise(heading) in self.folded

    @functools.cached_property
    def folded(self) -> frozenset[str]:
        """Its names as `normalise` folds them."""
        return frozenset(normalise(n) for n in self.names)


@dataclass
class Table:
    """A heading row found in a sheet, and the rows under it."""

    sheet: Sheet
    header_row: int
    columns: dict[str, int]  # key -> 1-based column

    def where(self, coordinate: str | None = None) -> Location:
        return self.sheet.where(coordinate)

    def headings(self) -> list[tuple[int, str]]:
        """Every non-empty heading of the heading row, with its 1-based column."""
        row = self.sheet.rows[self.header_row - 1]
        return [(i, c.text) for i, c in enumerate(row, start=1) if c.text]

    def rows(self) -> Iterator[Row]:
        """Yield the rows under the heading row, skipping blank rows and repeated headings."""
        header = _signature(self.sheet.rows[self.header_row - 1])
        for number in range(self.header_row + 1, len(self.sheet.rows) + 1):
            cells = self.sheet.rows[number - 1]
            if not any(c.text for c in cells) or _signature(cells) == header:
                continue
            yield Row(self, number, cells)

    def cell_problems(self) -> list[Problem]:
        """Formulas saved without values and cells showing Excel errors, in the table."""
        problems = []
        for cells in self.sheet.rows[self.header_row - 1 :]:
            for cell in cells:
                if cell.coordinate in self.sheet.uncached:
                    problems.append(
                        Problem(
                            self.where(cell.coordinate),
                            "the formula has no saved value: open the workbook in Excel or "
                            "LibreOffice and save it again",
                        )
                    )
                elif isinstance(cell.value, str) and cell.value.strip() in EXCEL_ERRORS:
                    problems.append(
                        Problem(self.where(cell.coordinate), f"the cell shows {cell.value.strip()}")
                    )
        return problems

    def placeholder_warnings(self) -> list[Problem]:
        """Warn about `XX` placeholders and `???` left in the table's cells."""
        found = []
        for row in self.rows():
            for cell in row.cells:
                m = PLACEHOLDER.search(cell.text)
                if m:
                    found.append(
                        Problem(
                            self.where(cell.coordinate),
                            f"placeholder {m.group(0)!r} left in {_short(cell.text)!r}",
                            Severity.WARNING,
                        )
                    )
        return found


def _signature(cells: Sequence[Cell]) -> list[str]:
    return [n for n in (normalise(c.value) for c in cells) if n]


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass
class Row:
    table: Table
    number: int
    cells: list[Cell]

    def cell(self, key: str) -> Cell:
        col = self.table.columns.get(key)
        if col is None:
            return Cell(f"{get_column_letter(len(self.cells) + 1)}{self.number}")
        return self.table.sheet.cell(self.number, col)

    def text(self, key: str) -> str:
        return self.cell(key).text

    def value(self, key: str) -> object:
        return self.cell(key).value

    def where(self, key: str | None = None) -> Location:
        return self.table.where(self.cell(key).coordinate if key else f"row {self.number}")

    def has(self, key: str) -> bool:
        return key in self.table.columns

    @property
    def first(self) -> Cell:
        """The first non-empty cell of the row."""
        return next(c for c in self.cells if c.text)

    @property
    def first_where(self) -> Location:
        return self.table.where(self.first.coordinate)

    @property
    def section(self) -> str | None:
        """The heading of a `Meeting: …` section row, or None for an ordinary row."""
        m = SECTION.match(self.first.text)
        return m["heading"].strip() if m else None

    def only(self, key: str) -> bool:
        """True when the row's only text is in this column."""
        target = self.cell(key).coordinate
        return all(not c.text or c.coordinate == target for c in self.cells)


def find_table(sheets: Sequence[Sheet], columns: Sequence[Column]) -> Table | None:
    """Find the sheet and heading row holding the required columns; the best match wins.

    Visible sheets come first: a hidden sheet is often an old copy kept out of sight.
    """
    best: tuple[int, Table] | None = None
    for sheet in sorted(sheets, key=lambda s: s.hidden):
        for number, cells in enumerate(sheet.rows[:HEADING_SCAN_ROWS], start=1):
            found = _match_headings(cells, columns)
            if all(c.key in found for c in columns if c.required):
                if best is None or len(found) > best[0]:
                    best = (len(found), Table(sheet, number, found))
                break
    return best[1] if best else None


def _match_headings(cells: Sequence[Cell], columns: Sequence[Column]) -> dict[str, int]:
    found: dict[str, int] = {}
    for col, cell in enumerate(cells, start=1):
        heading = normalise(cell.text) if cell.text else ""
        for column in columns:
            if heading and column.key not in found and heading in column.folded:
                found[column.key] = col
                break
    return found


def heading_problems(table: Table, columns: Sequence[Column]) -> list[Problem]:
    """Headings read twice (which column holds the data?) and a table on a hidden sheet."""
    problems = []
    by_key = {c.key: c for c in columns}
    assigned = set(table.columns.values())
    for col, text in table.headings():
        for key, used in table.columns.items():
            if col in assigned or not by_key[key].matches(text):
                continue
            first = table.sheet.cell(table.header_row, used)
            where = table.where(f"{get_column_letter(col)}{table.header_row}")
            problems.append(
                Problem(
                    where,
                    f"heading {text!r} repeats {first.text!r} in {first.coordinate}: "
                    "keep one column, or rename the other",
                )
            )
    if table.sheet.hidden:
        problems.append(
            Problem(table.where(), "the table is on a hidden sheet: read anyway", Severity.WARNING)
        )
    return problems


def missing_table(file: str, sheets: Sequence[Sheet], columns: Sequence[Column]) -> Problem:
    """Say which headings no sheet of the workbook has."""
    wanted = ", ".join(c.names[0] for c in columns if c.required)
    names = ", ".join(s.title for s in sheets) or "none"
    return Problem(Location(file), f"no sheet has a heading row with {wanted} (sheets: {names})")
