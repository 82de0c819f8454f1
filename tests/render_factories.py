"""A small partnership built from model dataclasses, for the plan, context and render tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document

from packgen.errors import Location, Problem
from packgen.model import (
    Action,
    Agency,
    AgendaItem,
    Attendance,
    Attended,
    CaseHeader,
    CaseReview,
    DocumentKind,
    ForwardPlanMeeting,
    FuzzyDate,
    Letter,
    Meeting,
    Member,
    MinuteItem,
    MinuteParagraph,
    Minutes,
    Paper,
    PaperRef,
    ParagraphStyle,
    Partnership,
    Recommendation,
    RecommendationsTable,
    Status,
)
from packgen.settings import Settings

MEETING = dt.date(2020, 10, 15)
PREVIOUS = dt.date(2020, 9, 9)


@dataclass
class Prepared:
    """What packgen.check.inputs.prepare hands on: settings, data, the meeting and its agenda."""

    settings: Settings
    partnership: Partnership
    meeting: Meeting
    agenda: ForwardPlanMeeting
    papers: list[Paper]
    problems: list[Problem] = field(default_factory=list)


def png(path: Path, width: int = 40, height: int = 12) -> Path:
    """Write a small grey PNG, enough for a signature image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def fuzzy(date: dt.date) -> FuzzyDate:
    return FuzzyDate(f"{date:%d %m %Y}", date.year, date.month, date.day)


def settings(data: Path) -> Settings:
    return Settings(
        data=data,
        name="BHR Safeguarding Partnership",
        short_name="BHR",
        reply_address="RSCP@redbridge.gov.uk",
        signing_line="On behalf of the BHR Safeguarding Partnership",
        agencies=(
            Agency("LB Barking & Dagenham", "LBBD"),
            Agency("LB Redbridge", "LBR"),
            Agency("MPS East Area BCU", "MPS"),
            Agency("Redbridge SCP & SAB", "RSCP"),
        ),
    )


MEMBERS = [
    Member("Elaine Allegretti", "EA", "Director of People and Resilience", "LB Barking & Dagenham",
           "ea@example.org", True, "chair"),
    Member("Eleanor Parkin", "EP", "Partnerships and Programmes Manager", "LB Barking & Dagenham",
           "ep@example.org", True),
    Member("John Carroll", "JC", "Detective Superintendent Safeguarding", "MPS East Area BCU",
           "jc@example.org", True),
    Member("Caroline Cutts", "CC", "Operational Director", "LB Redbridge", "cc@example.org", True),
    Member("Adrian Loades", "AL", "Corporate Director of People", "LB Redbridge",
           "al@example.org", True),
    Member("Lesley Perry", "LP", "Partnerships Manager", "Redbridge SCP & SAB",
           "lp@example.org", True),
]  # fmt: skip

MEETINGS = [
    Meeting(PREVIOUS, dt.time(14, 0), dt.time(16, 0), "MS Teams", "JC", "LP"),
    Meeting(MEETING, dt.time(9, 0), dt.time(11, 0), "MS Teams", "EA", "EP"),
    Meeting(dt.date(2020, 11, 27), dt.time(10, 0), dt.time(12, 0), "MS Teams", "AL", "LP"),
    Meeting(dt.date(2021, 1, 8), dt.time(15, 0), None, "MS Teams", "JC", "LP"),
]

ATTENDANCE = [
    Attendance(PREVIOUS, "EA", Attended.ATTENDED, arrived="15:45"),
    Attendance(PREVIOUS, "JC", Attended.ATTENDED),
    Attendance(PREVIOUS, "CC", Attended.ATTENDED, deputising_for="AL"),
    Attendance(PREVIOUS, "LP", Attended.ATTENDED),
    Attendance(PREVIOUS, "AL", Attended.APOLOGIES),
]


def agenda_items() -> tuple[AgendaItem, ...]:
    return (
        AgendaItem(1, "Welcome, Introductions and Apologies", "Chair", 1),
        AgendaItem(2, "Notes of Previous Meeting – 09 09 2020", "All", 5,
                   papers=(PaperRef("Notes of previous meeting", DocumentKind.MINUTES),)),
        AgendaItem(3, "Action Log 2020 - 2021", "All", 5,
                   papers=(PaperRef("Action log", DocumentKind.ACTION_LOG),)),
        AgendaItem(6, "Themed Learning Review Consideration – Adolescent Suicide", "AL/LP", 10,
                   papers=(PaperRef("Briefing.docx", None, "Briefing.docx"),
                           PaperRef("Kent Thematic Analysis Executive Summary.pdf", None,
                                    "Kent Thematic Analysis Executive Summary.pdf"))),
        AgendaItem(7, "Redbridge LSCB SCR Recommendations", "All", 10,
                   papers=(PaperRef("SCR recommendations", DocumentKind.RECOMMENDATIONS),
                           PaperRef("Letters", DocumentKind.LETTERS))),
        AgendaItem(9, "BHR Case Review Tracker", "All", 5, restricted=True,
                   papers=(PaperRef("Case review tracker", DocumentKind.TRACKER),)),
        AgendaItem(11, "Agenda Forward Plan Update", "All", 5,
                   papers=(PaperRef("Forward plan", DocumentKind.FORWARD_PLAN),)),
        AgendaItem(13, "Dates of Future Meetings via MS Teams", "All", 1),
    )  # fmt: skip


def forward_plan() -> list[ForwardPlanMeeting]:
    return [
        ForwardPlanMeeting("19 September 2020", FuzzyDate("19 September 2020", 2020, 9, 19), (
            AgendaItem(None, "Rapid Review/CSPR Process – for approval", "TDV", None,
                       notes="Comments back to TDV by 14 08 2020."),
        )),
        ForwardPlanMeeting("15 October 2020", fuzzy(MEETING), agenda_items()),
        ForwardPlanMeeting("November 2020 [Date TBC]", FuzzyDate("November 2020", 2020, 11), (
            AgendaItem(None, "Case Review Tracker", "All", None, notes="Standing agenda item."),
        )),
    ]  # fmt: skip


ACTIONS = [
    Action("2020/01", "05 June 2020", FuzzyDate("05 June 2020", 2020, 6, 5),
           "Partnership ToR to be published.", "Partnership Managers",
           "Published on the Redbridge SCP website. C/F", Status.CARRIED_FORWARD),
    Action("2020/02", "05 June 2020", FuzzyDate("05 June 2020", 2020, 6, 5),
           "Statutory Responsibilities Table to be completed.", "Partnership Managers",
           "Close.", Status.CLOSED),
    Action("2020/17", "09 September 2020", fuzzy(PREVIOUS),
           "Meeting to be held between BCU and Borough leads.", "JC", "", Status.OPEN),
]  # fmt: skip

CASES = [
    CaseReview("Family D", FuzzyDate("May 2017", 2017, 5), "Suspected insulin overdose.", "LBBB",
               "Publication delayed.", FuzzyDate("???"), "N"),
    CaseReview("Baby T", fuzzy(dt.date(2018, 3, 23)), "Baby died from head injury.", "LBR",
               "SCR published in January 2020.", fuzzy(dt.date(2019, 10, 15)), "14 01 2020"),
]  # fmt: skip

AGENCIES = ("Redbridge SCP", "B&D SCP", "BHR CCGs")
RECOMMENDATIONS = RecommendationsTable(
    CaseHeader("Serious Case Review (SCR)", fuzzy(dt.date(2020, 1, 14)), "Redbridge SCP",
               "Redbridge LSCB Serious Case Review (SCR) – Baby ‘T’", "", "19 recommendations."),
    AGENCIES,
    (
        Recommendation(1, "Write to the Home Office.",
                       (("Redbridge SCP", "Redbridge SCP to draft letter."), ("B&D SCP", "N/A"),
                        ("BHR CCGs", "N/A"))),
        Recommendation(2, "Provide enhanced training.",
                       (("Redbridge SCP", "Develop provision."), ("B&D SCP", "Promote training."),
                        ("BHR CCGs", "Promote training to GPs."))),
    ),
)  # fmt: skip

MINUTES = [
    Minutes(PREVIOUS, (
        MinuteItem(1, "Welcome", (
            MinuteParagraph(ParagraphStyle.PARAGRAPH, "JC welcomed all to the meeting."),
        )),
        MinuteItem(4, "Update from Partners on Impact and Response to COVID-19", (
            MinuteParagraph(ParagraphStyle.SUBHEADING, "LB Redbridge:"),
            MinuteParagraph(ParagraphStyle.BULLET, "All schools have reopened."),
            MinuteParagraph(ParagraphStyle.ACTION, "JC to hold meeting with RS, AL and EA.",
                            "2020/17"),
        )),
    )),
]  # fmt: skip


def letters(signatures: Path) -> list[Letter]:
    body = ("The former Redbridge LSCB published a report.", "I look forward to your response.")
    return [
        Letter("home-office", 7, ("Kevin Foster MP", "Home Office", "2 Marsham Street",
               "LONDON", "SW1P 4DF"), fuzzy(MEETING), "Dear Mr Foster",
               "Serious Case Review Recommendation", body, "AL", True, signatures / "al.png",
               "RSCP@redbridge.gov.uk", meeting=MEETING,
               location=Location("letters.xlsx", "Letters", "row 2")),
        Letter("nhs-england", 7, ("Sir Simon Stevens", "Chief Executive", "NHS England,"),
               fuzzy(MEETING), "Dear Sir Simon", "Serious Case Review Recommendation", body,
               "Adrian Loades", False, None, "", meeting=MEETING,
               location=Location("letters.xlsx", "Letters", "row 3")),
    ]  # fmt: skip


def make_prepared(tmp: Path, **changes) -> Prepared:
    """Build the small partnership in `tmp` (papers, signature); `changes` replace its fields."""
    signatures = tmp / "signatures"
    signatures.mkdir(parents=True, exist_ok=True)
    png(signatures / "al.png")
    papers_dir = tmp / "papers" / MEETING.isoformat()
    papers_dir.mkdir(parents=True, exist_ok=True)
    papers = []
    for name in ("Briefing.docx", "Kent Thematic Analysis Executive Summary.pdf"):
        (papers_dir / name).write_bytes(b"paper")
        papers.append(Paper(6, Path(name).stem, papers_dir / name))
    partnership = Partnership(
        meetings=list(MEETINGS),
        members=list(MEMBERS),
        attendance=list(ATTENDANCE),
        forward_plan=forward_plan(),
        actions=list(ACTIONS),
        cases=list(CASES),
        recommendations=RECOMMENDATIONS,
        minutes=list(MINUTES),
        letters=letters(signatures),
    )
    partnership = dataclasses.replace(partnership, **changes)
    agenda = next(m for m in partnership.forward_plan if m.date.exact == MEETING)
    meeting = next(m for m in partnership.meetings if m.date == MEETING)
    return Prepared(settings(tmp), partnership, meeting, agenda, papers)


TEMPLATES = Path(__file__).resolve().parent.parent / "packgen" / "templates"


def edited_template(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """Copy the templates (once per test) to tmp_path/templates, replacing one paragraph's text."""
    folder = tmp_path / "templates"
    if not folder.exists():
        shutil.copytree(TEMPLATES, folder)
    doc = Document(folder / name)
    paragraph = next(p for p in doc.paragraphs if p.text == old)
    paragraph.runs[0].text = new
    doc.save(folder / name)
    return folder
