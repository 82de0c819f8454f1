"""The model becomes one template context per document: plain dicts, lists and strings.

One module per family of documents: agenda, minutes, tables (action log, case review tracker,
forward plan, SCR recommendations) and letters, and the notes template for the minute-taker;
common holds what they share.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from packgen.model import DocumentKind
from packgen.plan import PackDocument, PackPlan
from packgen.render.context.agenda import agenda_context
from packgen.render.context.common import Image, PageRefs, Rich, clean
from packgen.render.context.letters import letter_context, letter_problems
from packgen.render.context.minutes import minutes_context
from packgen.render.context.notes import notes_template_context
from packgen.render.context.tables import (
    action_log_context,
    forward_plan_context,
    recommendations_context,
    tracker_context,
)

if TYPE_CHECKING:
    from packgen.check import Prepared

__all__ = [
    "Image",
    "PageRefs",
    "Record",
    "Rich",
    "build_context",
    "clean",
    "letter_problems",
    "notes_context",
]


def build_context(
    doc: PackDocument, plan: PackPlan, prepared: Prepared, page_refs: PageRefs | None = None
) -> dict[str, Any]:
    """Return the context of one rendered document, every string cleaned for XML."""
    if doc.template is None:
        raise ValueError(f"{doc.key} is a paper sent in, not a rendered document")
    if doc.item is None:
        context = agenda_context(plan, prepared, page_refs)
    elif doc.kind is DocumentKind.LETTERS and doc.letter is not None:
        context = letter_context(doc.letter, prepared)
    else:
        context = _BUILDERS[doc.kind](prepared)
    return {key: _records(value) for key, value in clean(context).items()}


def notes_context(prepared: Prepared) -> dict[str, Any]:
    """Return the context of the meeting's notes template, every string cleaned for XML."""
    return {key: _records(value) for key, value in clean(notes_template_context(prepared)).items()}


class Record(SimpleNamespace):
    """A row of a context: attribute access for templates, so `action.update` is the field
    (a dict would give Jinja its `update` method)."""

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


def _records(value: Any) -> Any:
    """Turn nested dicts into Records."""
    if isinstance(value, dict):
        return Record(**{k: _records(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_records(v) for v in value]
    return value


_BUILDERS: dict[DocumentKind | None, Callable[[Prepared], dict]] = {
    DocumentKind.MINUTES: minutes_context,
    DocumentKind.ACTION_LOG: action_log_context,
    DocumentKind.TRACKER: tracker_context,
    DocumentKind.FORWARD_PLAN: forward_plan_context,
    DocumentKind.RECOMMENDATIONS: recommendations_context,
}
