"""`packgen render`: a meeting's Word documents alone, for a look before the whole build."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

from packgen.check import prepare
from packgen.commands.lock import meeting_lock
from packgen.plan import plan_pack
from packgen.render import RenderCache, render_all

log = logging.getLogger(__name__)


def render_meeting(
    data: Path, templates: Path, output: Path, meeting: dt.date | None = None
) -> list[Path]:
    """Render a meeting's documents into `output/<date>/documents/`, replaced only when complete."""
    prepared = prepare(data, meeting)
    for problem in prepared.problems:
        log.warning("%s", problem)
    plan = plan_pack(prepared)
    folder = output / prepared.meeting.date.isoformat() / "documents"
    staging = folder.with_name(".documents.tmp")
    output.mkdir(parents=True, exist_ok=True)
    with meeting_lock(output, prepared.meeting.date):  # a build may be writing this meeting
        shutil.rmtree(staging, ignore_errors=True)
        cache = RenderCache.for_output(output)
        rendered = render_all(plan, prepared, templates, staging, cache=cache)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    return [folder / path.name for path in rendered]
