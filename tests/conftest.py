"""Shared factories: a tiny workbook builder and a copy of the sample data."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


def make_workbook(
    path: Path,
    rows: Sequence[Sequence[object]],
    sheet: str = "Sheet1",
    merged: Sequence[str] = (),
    extra: dict[str, Sequence[Sequence[object]]] | None = None,
) -> Path:
    """Write rows (and optional extra sheets) to a small .xlsx, as an officer might keep it."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for ref in merged:
        ws.merge_cells(ref)
    for title, extra_rows in (extra or {}).items():
        other = book.create_sheet(title)
        for row in extra_rows:
            other.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A throw-away copy of the sample data folder."""
    target = tmp_path / "data"
    shutil.copytree(SAMPLE, target)
    return target


PACK_PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def protected_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the sample pack once with a pack password; return output/2020-10-15/."""
    import datetime as dt

    from packgen.commands.pipeline import build

    output = tmp_path_factory.mktemp("protected")
    templates = ROOT / "packgen" / "templates"
    result = build(SAMPLE, templates, output, dt.date(2020, 10, 15), password=lambda: PACK_PASSWORD)
    return result.folder


@pytest.fixture(autouse=True, scope="session")
def _no_libreoffice_kept(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Builds close their LibreOffice, in a runtime folder of the tests' own; test_convert_kept.py
    turns keeping on where it tests it."""
    import os

    from packgen.convert.kept import RUNTIME_ENV
    from packgen.settings import KEEP_ENV

    os.environ[KEEP_ENV] = "0"
    os.environ[RUNTIME_ENV] = str(tmp_path_factory.mktemp("runtime"))
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))  # font subsets
