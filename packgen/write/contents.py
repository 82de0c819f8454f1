"""What each document of a pack says, in the officers' terms, for the manifest.

`packgen changes` compares these records of the built pack with those of the issued one: a
paper by its bytes, each document packgen writes by the rows it was made from (an action's
update and status, a case's update, an agenda item's title and minutes, a letter's words).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from packgen.files import sha256
from packgen.model import Action, AgendaItem, CaseReview, DocumentKind, Letter
from packgen.plan import PackDocument, PackPlan

if TYPE_CHECKING:
    from packgen.check import Prepared


def document_content(
    doc: PackDocument, plan: PackPlan, prepared: Prepared, templates: Path
) -> dict[str, Any]:
    """Return what one document holds: a paper's SHA-256, or the rows packgen writes it from."""
    if doc.paper is not None:
        return {"sha256": sha256(doc.paper.path) if doc.paper.path.is_file() else None}
    template = templates / doc.template if doc.template else None
    record: dict[str, Any] = {
        "template_sha256": sha256(template) if template and template.is_file() else None
    }
    if doc.item is None:
        record["items"] = [_agenda_item(item) for item in plan.agenda.items]
    elif doc.letter is not None:
        record["letter"] = _letter(doc.letter)
    else:
        record.update(_KINDS.get(doc.kind, lambda _: {})(prepared))
    return record


def _agenda_item(item: AgendaItem) -> dict:
    return {
        "number": item.number,
        "title": item.title,
        "lead": item.lead,
        "minutes": item.minutes,
        "restricted": item.restricted,
    }


def _actions(prepared: Prepared) -> dict:
    return {"actions": [_action(a) for a in prepared.partnership.actions]}


def _action(action: Action) -> dict:
    return {
        "ref": action.ref,
        "text": action.text,
        "lead": action.lead,
        "update": action.update,
        "status": action.status.value,
    }


def _cases(prepared: Prepared) -> dict:
    return {"cases": [_case(c) for c in prepared.partnership.cases]}


def _case(case: CaseReview) -> dict:
    return {
        "initials": case.initials,
        "notified": case.notified.text,
        "summary": case.summary,
        "lead_authority": case.lead_authority,
        "update": case.update,
        "presented": case.presented.text,
        "published": case.published,
    }


def _forward_plan(prepared: Prepared) -> dict:
    # The pack's own meeting is left out: its items are the agenda's, compared there.
    return {
        "meetings": [
            {
                "heading": section.heading,
                "items": [[i.number, i.title, i.lead, i.notes] for i in section.items],
            }
            for section in prepared.partnership.forward_plan
            if section != prepared.agenda
        ]
    }


def _recommendations(prepared: Prepared) -> dict:
    table = prepared.partnership.recommendations
    if table is None:
        return {"recommendations": []}
    return {
        "header": [table.header.case_type, table.header.title, table.header.comments],
        "recommendations": [
            {"number": r.number, "text": r.text, "responses": [list(p) for p in r.responses]}
            for r in table.recommendations
        ],
    }


def _minutes(prepared: Prepared) -> dict:
    earlier = [m for m in prepared.partnership.minutes if m.meeting < prepared.meeting.date]
    if not earlier:
        return {"minutes": []}
    latest = max(earlier, key=lambda m: m.meeting)
    return {
        "minutes": [
            {"number": i.number, "title": i.title, "paragraphs": [p.text for p in i.paragraphs]}
            for i in latest.items
        ]
    }


def _letter(letter: Letter) -> dict:
    return {
        "recipient": list(letter.recipient),
        "date": letter.date.text,
        "subject": letter.subject,
        "body": list(letter.paragraphs),
        "signatory": letter.signatory,
        "signed": letter.signed,
        "enclosure": letter.enclosure,
    }


_KINDS = {
    DocumentKind.ACTION_LOG: _actions,
    DocumentKind.TRACKER: _cases,
    DocumentKind.FORWARD_PLAN: _forward_plan,
    DocumentKind.RECOMMENDATIONS: _recommendations,
    DocumentKind.MINUTES: _minutes,
}
