"""The LibreOffice user profiles packgen runs LibreOffice on, set up to skip a start-up self-test.

LibreOffice (7.4 here) draws a set of test pictures at start-up (its "graphics render tests")
whenever the profile was last used by an older version. A headless LibreOffice never records its
version in the profile, so it runs the tests at every start: on the machine in the README, 0.8
of the 1.2 CPU-seconds that converting one letter takes. packgen records the
installed version in each profile it starts LibreOffice on, as a desktop LibreOffice's first start
does; the documents are converted just the same.

Each profile also has PDF export set to tagged PDF/UA (structure tree, language, title shown),
so that every document LibreOffice converts, Writer's, Calc's and Impress's alike, is readable
by a screen reader. Standard library only (packgen.convert.keeper uses it).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
from pathlib import Path

REGISTRY = Path("user") / "registrymodifications.xcu"
_PRODUCT_KEY = re.compile(r"^ProductKey=.*?(\d+\.\d+)\s*$", re.MULTILINE)
_LAST_VERSION = re.compile(
    r'<item oor:path="/org\.openoffice\.Setup/Product"><prop oor:name="ooSetupLastVersion"'
    r".*?</item>\n?",
    re.DOTALL,
)
_END = "</oor:items>"
# What PDF export does in every profile: tagged, PDF/UA-1 (changing these changes SETTINGS).
_EXPORT = {"UseTaggedPDF": "true", "PDFUACompliance": "true", "ExportBookmarks": "true"}
SETTINGS = "pdf export: " + ", ".join(f"{k}={v}" for k, v in _EXPORT.items())
_EMPTY = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry"'
    ' xmlns:xs="http://www.w3.org/2001/XMLSchema"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    f"{_END}\n"
)


@functools.cache
def installed_version(soffice: str) -> str | None:
    """Return the "major.minor" of the LibreOffice `soffice` runs, from its bootstraprc, or None."""
    executable = shutil.which(soffice)
    if executable is None:
        return None
    with contextlib.suppress(OSError):
        program = Path(executable).resolve().parent
        found = _PRODUCT_KEY.search((program / "bootstraprc").read_text(encoding="utf-8"))
        return found.group(1) if found else None
    return None


def prepare_profile(profile: Path, soffice: str) -> None:
    """Record the installed version in `profile`, so that LibreOffice skips its self-test there,
    and set its PDF export to tagged PDF/UA.

    A new profile gets a registry of those settings (LibreOffice adds the rest); an existing
    one keeps every other setting. Nothing is written when the version is unknown, the settings
    are there already, or the registry is not one LibreOffice wrote.
    """
    version = installed_version(soffice)
    if version is None:
        return
    items = [
        '<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion"'
        f' oor:op="fuse"><value>{version}</value></prop></item>\n',
        *(_export_item(name, value) for name, value in _EXPORT.items()),
    ]
    registry = profile / REGISTRY
    try:
        text = registry.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = _EMPTY
    except (OSError, UnicodeDecodeError):
        return
    if all(item in text for item in items) or _END not in text:
        return
    for setting in (_LAST_VERSION, *map(_export_setting, _EXPORT)):
        text = setting.sub("", text)
    text = text.replace(_END, "".join(items) + _END, 1)
    registry.parent.mkdir(parents=True, exist_ok=True)
    tmp = registry.with_name(f".{registry.name}.packgen")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, registry)


def _export_item(name: str, value: str) -> str:
    return (
        '<item oor:path="/org.openoffice.Office.Common/Filter/PDF/Export">'
        f'<prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
    )


def _export_setting(name: str) -> re.Pattern[str]:
    """The item setting `name` of PDF export, however LibreOffice last wrote it."""
    return re.compile(
        r'<item oor:path="/org\.openoffice\.Office\.Common/Filter/PDF/Export">'
        rf'<prop oor:name="{name}".*?</item>\n?',
        re.DOTALL,
    )
