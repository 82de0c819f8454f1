"""The typed model: what the readers make of the workbooks. Nothing downstream touches openpyxl."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from pathlib import Path

from packgen.errors import Location


@dataclass(frozen=True)
class FuzzyDate:
    """A date as officers type it: full, month-only, or unknown (`???`, `TBC`, empty).

    `text` keeps what was typed so documents can show it as written.
    """

    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def known(self) -> bool:
        return self.year is not None

    @property
    def exact(self) -> dt.date | None:
        if self.year and self.month and self.day:
            return dt.date(self.year, self.month, self.day)
        return None

    def __str__(self) -> str:
        return self.text


class Status(enum.Enum):
    OPEN = "Open"
    CARRIED_FORWARD = "Carried forward"
    CLOSED = "Closed"


class Attended(enum.Enum):
    ATTENDED = "attended"
    APOLOGIES = "apologies"


class DocumentKind(enum.Enum):
    """Documents packgen writes itself; a forward-plan Papers line names them in words."""

    MINUTES = "minutes"
    ACTION_LOG = "action-log"
    TRACKER = "case-review-tracker"
    FORWARD_PLAN = "forward-plan"
    RECOMMENDATIONS = "scr-recommendations"
    LETTERS = "letters"


@dataclass(frozen=True)
class Agency:
    name: str
    short: str


@dataclass(frozen=True)
class Member:
    name: str
    initials: str
    title: str
    agency: str
    email: str
    receives_pack: bool
    role: str = "member"  # "chair" or "member"
    send_as: str = "to"  # "to" or "cc"
    location: Location | None = field(default=None, compare=False)
    email_location: Location | None = field(default=None, compare=False)  # the Email cell


@dataclass(frozen=True)
class Meeting:
    date: dt.date
    start: dt.time | None
    end: dt.time | None
    venue: str
    chair: str  # as typed: a member's name or initials
    secretariat: str
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Attendance:
    meeting: dt.date
    member: str  # initials or name as typed
    status: Attended
    deputising_for: str = ""  # initials, e.g. "AL"
    arrived: str = ""  # e.g. "15:45"
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PaperRef:
    """One line of a forward-plan Papers cell: a document packgen writes, or a file sent in."""

    text: str
    kind: DocumentKind | None = None  # None: a file under data/papers/<date>/
    filename: str | None = None

    @property
    def title(self) -> str:
        return Path(self.filename).stem if self.filename else self.text


@dataclass(frozen=True)
class AgendaItem:
    number: int | None
    title: str
    lead: str
    minutes: int | None
    notes: str = ""
    papers: tuple[PaperRef, ...] = ()
    restricted: bool = False
    reason: str = ""  # why it is restricted, for the public pack: "Information relating to …"
    location: Location | None = field(default=None, compare=False)
    lead_location: Location | None = field(default=None, compare=False)
    papers_location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ForwardPlanMeeting:
    heading: str  # as typed: "November 2020 [Date TBC]"
    date: FuzzyDate
    items: tuple[AgendaItem, ...]
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Action:
    ref: str  # "2020/17"
    meeting_heading: str  # the section row as typed: "09 September 2020"
    meeting_date: FuzzyDate
    text: str
    lead: str
    update: str
    status: Status
    location: Location | None = field(default=None, compare=False)
    lead_location: Location | None = field(default=None, compare=False)
    closed_on: dt.date | None = None  # a closed action's date, when its update gives it


@dataclass(frozen=True)
class CaseReview:
    initials: str
    notified: FuzzyDate
    summary: str
    lead_authority: str
    update: str
    presented: FuzzyDate
    published: str  # "N", "N/A" or a date as typed
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CaseHeader:
    case_type: str
    publication_date: FuzzyDate
    lead_lscp: str
    title: str
    link: str
    comments: str


@dataclass(frozen=True)
class Recommendation:
    number: int
    text: str
    responses: tuple[tuple[str, str], ...]  # (agency heading, what it does), workbook order
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class RecommendationsTable:
    header: CaseHeader
    agencies: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]


class ParagraphStyle(enum.Enum):
    PARAGRAPH = "paragraph"
    SUBHEADING = "subheading"
    BULLET = "bullet"
    ACTION = "action"
    TABLE = "table"  # a table of the Word notes: `rows`, the first its heading row


@dataclass(frozen=True)
class TextRun:
    """A stretch of a Word paragraph and the direct formatting that carries meaning."""

    text: str
    bold: bool = False
    italic: bool = False
    underline: bool = False


@dataclass(frozen=True)
class MinuteParagraph:
    style: ParagraphStyle
    text: str
    action_ref: str = ""
    location: Location | None = field(default=None, compare=False)
    runs: tuple[TextRun, ...] = ()  # the text with its formatting, from Word notes
    rows: tuple[tuple[str, ...], ...] = ()  # a table's cells, row by row


@dataclass(frozen=True)
class MinuteItem:
    number: int | None  # None: a heading of the Word notes without a number
    title: str
    paragraphs: tuple[MinuteParagraph, ...]
    location: Location | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Minutes:
    meeting: dt.date
    items: tuple[MinuteItem, ...]
    source: str = "minutes.xlsx"  # or the Word notes: "minutes/2020-10-15.docx"
    attendance: tuple[Attendance, ...] = ()  # from the notes' attendance table, when filled


@dataclass(frozen=True)
class Letter:
    key: str  # used in file names: "home-office"
    item: int  # the agenda item it belongs to
    recipient: tuple[str, ...]  # name and address lines
    date: FuzzyDate
    salutation: str
    subject: str
    paragraphs: tuple[str, ...]
    signatory: str  # name or initials as typed
    signed: bool
    signature: Path | None
    reply_address: str
    enclosure: str = ""
    meeting: dt.date | None = None
    location: Location | None = field(default=None, compare=False)
    title: str = ""  # bookmark and agenda line; empty: derived from the key


@dataclass(frozen=True)
class Paper:
    """A file an officer sent in for an agenda item, found under data/papers/<date>/."""

    item: int
    title: str
    path: Path
    restricted: bool = False


@dataclass
class Partnership:
    """Everything read from data/: the workbooks and the papers folder, plus what to warn about."""

    meetings: list[Meeting]
    members: list[Member]
    attendance: list[Attendance]
    forward_plan: list[ForwardPlanMeeting]
    actions: list[Action]
    cases: list[CaseReview]
    recommendations: RecommendationsTable | None
    minutes: list[Minutes]
    letters: list[Letter]
    sources: list[Path] = field(default_factory=list)  # every file read, for the manifest
    # The workbooks (and the Attendance sheet) a pack needs only when its agenda names their
    # document, that aren't there: "case_review_tracker.xlsx", "meetings.xlsx › Attendance".
    absent: frozenset[str] = frozenset()


def long_date(date: dt.date) -> str:
    """Format a date as the pack writes it: "9 September 2020"."""
    return f"{date.day} {date:%B %Y}"
