"""Where the Word templates come from: `--templates`, else a `templates/` folder here, else the
default templates that ship inside packgen."""

from __future__ import annotations

from pathlib import Path

# The default templates: package data, next to the stages that read them.
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def choose_templates(given: Path | None, here: Path | None = None) -> tuple[Path, bool]:
    """Return the templates folder to use and whether it is packgen's defaults.

    A folder given on the command line always wins (a missing one is reported by the check, as
    before); without one, `templates/` in the current folder; without that, the defaults.
    """
    if given is not None:
        return given, False
    local = (here or Path.cwd()) / "templates"
    if local.is_dir():
        return local, False
    return DEFAULT_TEMPLATES, True
