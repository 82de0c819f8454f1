"""What builds keep under `output/.cache/`, pruned once a build has made a new pack."""

from __future__ import annotations

import logging
from pathlib import Path

from packgen.convert import CACHE_DIR as PDF_DIR
from packgen.convert import PdfCache
from packgen.pack import StructureCache, font_cache
from packgen.read import CACHE_DIR as SHEETS_DIR
from packgen.read import SheetCache
from packgen.render import RenderCache, TemplateRecords
from packgen.store import MAX_AGE, prune

log = logging.getLogger(__name__)


def prune_caches(output: Path, max_age: float = MAX_AGE) -> int:
    """Remove the PDFs, rendered documents, sheets, template records and structure trees under
    `output/.cache/` neither written nor used for `max_age` seconds; return how many went."""
    caches = [
        PdfCache(output / PDF_DIR),
        StructureCache.for_output(output),
        RenderCache.for_output(output),
        SheetCache(output / SHEETS_DIR),
        TemplateRecords.for_output(output),
    ]
    removed = sum(cache.prune(max_age) for cache in caches)
    removed += prune(font_cache(), ".ttf", max_age)  # the stamps' font subsets, kept per user
    log.debug("Cache entries unused for %d days and removed: %d", max_age // 86400, removed)
    if removed:
        log.info("Removed %d cache entries unused for %d days", removed, max_age // 86400)
    return removed
