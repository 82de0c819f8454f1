"""`packgen init`: a new partnership's folder, laid out as packgen expects, never over a file."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

from packgen.commands.blank_workbooks import WORKBOOKS, write_blank_workbook
from packgen.commands.starter_settings import starter_settings
from packgen.commands.template_folder import DEFAULT_TEMPLATES
from packgen.errors import InputError, Location, Problem

log = logging.getLogger(__name__)

DEFAULT_NAME = "Safeguarding Partnership"
FOLDERS = ("data/papers", "data/signatures", "templates")


@dataclass(frozen=True)
class Started:
    folder: Path
    files: list[Path]  # every file written, in the order written


def init_partnership(folder: Path, name: str | None = None) -> Started:
    """Write `folder`/data/ (the blank workbooks, partnership.toml, papers/, signatures/) and
    `folder`/templates/ (the default templates). Stop, writing nothing, if any file is there."""
    name = (name or DEFAULT_NAME).strip() or DEFAULT_NAME
    planned = _planned(folder)
    there = [path for path in planned if path.exists() or path.is_symlink()]
    if there:
        raise InputError(
            f"{folder} already holds {len(there)} of the files packgen init writes; it writes "
            "none of them over what is there (move them away, or init another folder):",
            [Problem(Location(str(p.relative_to(folder))), "exists") for p in there],
        )
    for sub in FOLDERS:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    for book in WORKBOOKS:
        write_blank_workbook(book, data / book.name, name)
    with (data / "partnership.toml").open("x", encoding="utf-8") as out:
        out.write(starter_settings(name))
    for template in _templates():
        with template.open("rb") as src, (folder / "templates" / template.name).open("xb") as dst:
            shutil.copyfileobj(src, dst)
    log.info("Started %s in %s", name, folder)
    return Started(folder, planned)


def _templates() -> list[Path]:
    return sorted(p for p in DEFAULT_TEMPLATES.iterdir() if p.is_file())


def _planned(folder: Path) -> list[Path]:
    data = folder / "data"
    files = [data / book.name for book in WORKBOOKS] + [data / "partnership.toml"]
    return files + [folder / "templates" / p.name for p in _templates()]
