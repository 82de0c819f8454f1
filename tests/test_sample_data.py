"""The sample data in data/ is what tools/sample_data.py writes, and holds the whole seed."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


def load_tool() -> ModuleType:
    """Import tools/sample_data.py, which is a script rather than part of the package."""
    spec = importlib.util.spec_from_file_location("sample_data", ROOT / "tools" / "sample_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rows(name: str, sheet: str) -> list[tuple[object, ...]]:
    """Every row's values of one sheet, read read-only as packgen reads it."""
    wb = load_workbook(DATA / name, read_only=True)
    try:
        return list(wb[sheet].iter_rows(values_only=True))
    finally:
        wb.close()


def test_committed_sample_is_what_the_script_writes(tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    written = load_tool().write_all(tmp_path)
    for path in written:
        committed = DATA / path.relative_to(tmp_path)
        assert committed.read_bytes() == path.read_bytes(), f"{committed} is out of date"


def test_action_log_has_the_seed_28_actions_in_4_meetings() -> None:
    cells = [r[0] for r in rows("action_log.xlsx", "Action Log")]
    refs = [c for c in cells if isinstance(c, str) and re.fullmatch(r"2020/\d\d", c)]
    sections = [c for c in cells if isinstance(c, str) and c.startswith("Meeting:")]
    assert refs == [f"2020/{n:02d}" for n in range(1, 29)]
    assert len(sections) == 4


def test_forward_plan_numbers_the_13_agenda_items_of_15_october_2020() -> None:
    items = [r for r in rows("forward_plan.xlsx", "Forward Plan") if isinstance(r[0], int)]
    assert [r[0] for r in items] == list(range(1, 14))
    assert [r[4] for r in items] == [1, 5, 5, 15, 15, 10, 10, 5, 5, 20, 5, 5, 1]
    assert [r[0] for r in items if r[6] == "Y"] == [9]


def test_recommendations_keep_the_seed_11_rows_of_6_agencies() -> None:
    table = rows("scr_recommendations.xlsx", "Recommendations")
    start = next(i for i, r in enumerate(table) if r[0] == "Recommendation")
    recommendations = [r for r in table[start + 1 :] if r[0]]
    assert len(recommendations) == 11
    assert all(len(r) == 7 for r in recommendations)
