"""Read: the officers' workbooks, read-only, into the typed model (packgen.model)."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "actions": ["ACTION_LOG_HEADINGS"],
        "partnership": ["ATTENDANCE_SHEET", "NEEDED_FOR", "read_partnership"],
        "sheetcache": ["CACHE_DIR", "SheetCache", "caching"],
        "workbook": ["is_lock_file"],
    },
)
