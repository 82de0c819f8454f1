"""`packgen notes`: the notes template a minute-taker types the notes of a meeting in."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from packgen.files import write_atomic
from packgen.render.context import notes_context
from packgen.render.documents import render_template

if TYPE_CHECKING:
    from packgen.check import Prepared

log = logging.getLogger(__name__)

TEMPLATE = "notes.docx"


def render_notes(prepared: Prepared, templates: Path, target: Path) -> Path:
    """Write the meeting's notes template (templates/notes.docx filled in) to `target`."""
    context = notes_context(prepared)
    title = context["meeting"].title
    data = render_template(
        templates / TEMPLATE, context, title, prepared.meeting.date, prepared.settings.language
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data, 0o644)
    log.info("Rendered %s from %s", target.name, TEMPLATE)
    return target
