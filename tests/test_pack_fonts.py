"""The fonts packgen stamps with: a subset of an installed font, made once, then read without
fontTools."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from packgen.pack.fonts import font_cache

TEXT = "Page 12 of 52 – 15 October 2020"
_PROBE = """
import sys
from packgen.pack.fonts import load_font
font = load_font("regular", {text!r})
print(font.name, font.width({text!r}, 8), "fontTools.ttLib.tables._h_m_t_x" in sys.modules)
"""


def probe(cache: Path) -> list[str]:
    """Load the font in a process of its own; return its name, text width, and whether fontTools
    read a font's tables (pypdf imports fontTools itself, not its tables)."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(text=TEXT)],
        env={**os.environ, "XDG_CACHE_HOME": str(cache)},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_a_subset_is_made_once_then_read_without_fonttools(tmp_path: Path) -> None:
    first = probe(tmp_path)
    assert first[-1] == "True"  # made with fontTools
    folder = font_cache({"XDG_CACHE_HOME": str(tmp_path)})
    assert len(list(folder.glob("*.ttf"))) == 1 and len(list(folder.glob("*.json"))) == 1
    again = probe(tmp_path)
    assert again == [*first[:-1], "False"]  # the same font and widths, no table read
    assert float(first[-2]) > 0


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"name": "X", "widths": [1, 2]}'])
def test_metrics_that_cant_be_used_are_read_from_the_subset_again(
    tmp_path: Path, damage: bytes
) -> None:
    made = probe(tmp_path)
    (metrics,) = font_cache({"XDG_CACHE_HOME": str(tmp_path)}).glob("*.json")
    metrics.write_bytes(damage)
    assert probe(tmp_path) == made  # read from the subset again, with fontTools
    assert metrics.read_bytes() != damage  # and written anew
    assert probe(tmp_path) == [*made[:-1], "False"]
