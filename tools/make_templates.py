"""Generate the Word templates in templates/ with python-docx.

The committed .docx files are what packgen reads and what users edit; this script only makes a
fresh set. Run it from the repository root:

    .venv/bin/python tools/make_templates.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

FONT = "Calibri"
HEADING_COLOUR = RGBColor(0x1F, 0x3A, 0x5F)
SECTION_FILL = "D9E2F3"
HEADER_FILL = "DEEAF6"
FIXED_DATE = dt.datetime(2020, 1, 1)


def new_document(title: str, landscape: bool = False) -> Document:
    """Return an empty A4 document with Calibri styles and room for the pack's stamps."""
    doc = Document()
    _set_styles(doc)
    section = doc.sections[0]
    width, height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = Cm(2.0)
    section.bottom_margin = Cm(2.5)
    section.header_distance = section.footer_distance = Cm(1.0)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "packgen", "packgen"
    props.created = props.modified = FIXED_DATE
    props.revision = 1
    return doc


def _set_styles(doc: Document) -> None:
    """Use Calibri everywhere, British English, and compact headings."""
    styles = doc.styles
    for rfonts in styles.element.iter(qn("w:rFonts")):
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            rfonts.attrib.pop(qn(attr), None)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            rfonts.set(qn(attr), FONT)
    for lang in styles.element.iter(qn("w:lang")):
        lang.set(qn("w:val"), "en-GB")
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0
    for name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11)):
        style = styles[name]
        style.font.name, style.font.size = FONT, Pt(size)
        style.font.color.rgb = HEADING_COLOUR
        style.font.bold = True
        style.font.italic = False
        style.paragraph_format.space_before = Pt(12 if name != "Heading 3" else 6)
        style.paragraph_format.space_after = Pt(6)
    title = styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for border in title.element.iter(qn("w:pBdr")):
        border.getparent().remove(border)
    bullet = styles["List Bullet"]
    bullet.font.name = FONT
    bullet.paragraph_format.space_after = Pt(3)
    address = styles.add_style("Address", 1)
    address.base_style = normal
    address.paragraph_format.space_after = Pt(0)
    small = styles.add_style("Table Text", 1)
    small.base_style = normal
    small.font.size = Pt(10)
    small.paragraph_format.space_after = Pt(2)


def para(container, text: str = "", style: str | None = None, bold: bool = False):
    """Add a paragraph holding `text` in one run (so Jinja tags stay whole)."""
    paragraph = container.add_paragraph(style=style)
    if text:
        paragraph.add_run(text).bold = bold or None
    return paragraph


def cell_text(cell: _Cell, text: str, bold: bool = False, style: str = "Table Text") -> None:
    """Put `text` in the cell's first paragraph."""
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles[style]
    if text:
        paragraph.add_run(text).bold = bold or None


def shade(cell: _Cell, fill: str) -> None:
    """Give a cell a background colour."""
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def repeat_header(row) -> None:
    """Repeat a table's first row at the top of each page."""
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)


def details(doc, lines: Sequence[Sequence[tuple[str, str]]], stops_cm: Sequence[float]) -> None:
    """Write label: value details as lines of text, not a table with no header cells (a
    screen reader reads a table cell by cell): each label bold, each value at a tab stop."""
    for pairs in lines:
        paragraph = doc.add_paragraph(style="Table Text")
        for stop in stops_cm:
            paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(stop))
        for n, (label, value) in enumerate(pairs):
            paragraph.add_run(("\t" if n else "") + label).bold = True
            paragraph.add_run("\t")
            paragraph.add_run(value)


def grid(doc, widths_cm: Sequence[float], rows: int = 1) -> Table:
    """Add a Table Grid table with fixed column widths."""
    table = doc.add_table(rows=rows, cols=len(widths_cm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    for col, width in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(width)
    return table


def heading_row(table: Table, labels: Sequence[str]) -> None:
    """Fill the first row with bold, shaded, repeating column headings."""
    row = table.rows[0]
    for cell, label in zip(row.cells, labels, strict=True):
        cell_text(cell, label, bold=True)
        shade(cell, HEADER_FILL)
    repeat_header(row)


def tag_row(table: Table, tag: str) -> None:
    """Add a row whose first cell holds a docxtpl row tag ({%tr ... %})."""
    cell_text(table.add_row().cells[0], tag)


def merged_row(table: Table, text: str, bold: bool = True, fill: str | None = None):
    """Add a row of one cell spanning the table."""
    row = table.add_row()
    cell = row.cells[0].merge(row.cells[-1])
    cell_text(cell, text, bold=bold)
    if fill:
        shade(cell, fill)
    return cell


def values_row(table: Table, texts: Sequence[str]):
    """Add a row of cells, one text each."""
    row = table.add_row()
    for cell, text in zip(row.cells, texts, strict=True):
        cell_text(cell, text)
    return row


def agenda() -> Document:
    """Agenda: meeting table, title, items with lead, time, start and pages, future meetings."""
    doc = new_document("Agenda")
    details(
        doc,
        [
            [("Meeting:", "{{ meeting.title }}")],
            [("Date:", "{{ meeting.date }}"), ("Time:", "{{ meeting.time }}")],
            [("Venue:", "{{ meeting.venue }}")],
            [("Chair:", "{{ meeting.chair }}")],
            [("Secretariat:", "{{ meeting.secretariat }}")],
        ],
        [3.0, 10.0, 12.0],
    )
    title = para(doc, "A G E N D A", style="Title")
    outline = OxmlElement("w:outlineLvl")  # the agenda's heading for a screen reader: level 1
    outline.set(qn("w:val"), "0")
    title._p.get_or_add_pPr().append(outline)
    title.paragraph_format.space_before = Pt(12)
    items = grid(doc, [1.0, 8.5, 1.8, 2.0, 1.4, 2.3])
    heading_row(items, ["No.", "Item", "Lead", "Time allowed", "Start", "Pages"])
    tag_row(items, "{%tr for item in items %}")
    row = values_row(
        items,
        [
            "{{ item.number }}",
            "{{ item.title }}",
            "{{ item.lead }}",
            "{{ item.duration }}",
            "{{ item.start }}",
            "{{ item.pages }}",
        ],
    )
    row.cells[1].paragraphs[0].runs[0].bold = True
    listing = row.cells[1]
    for text in (
        "{%p for paper in item.papers %}",
        "{{ paper }}",
        "{%p endfor %}",
        "{%p for date in item.future_meetings %}",
        "{{ date }}",
        "{%p endfor %}",
    ):
        style = "List Bullet" if text.startswith("{{") else "Table Text"
        p = para(listing, text, style=style)
        if style == "List Bullet":  # compact, so the agenda of a full meeting fits one page
            p.runs[0].font.size = Pt(10)
            p.paragraph_format.space_after = Pt(0)
    tag_row(items, "{%tr endfor %}")
    para(doc, "{%p if future_meetings_after_items %}")
    para(doc, "Dates of future meetings", style="Heading 2")
    para(doc, "{%p for date in future_meetings %}")
    para(doc, "{{ date }}", style="List Bullet")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endif %}")
    return doc


def minutes() -> Document:
    """Notes of a meeting: meeting information, attendance, then the notes item by item."""
    doc = new_document("Notes of meeting")
    para(doc, "Meeting Information", style="Heading 1")
    details(
        doc,
        [
            [("Title:", "{{ meeting.title }}")],
            [("Date:", "{{ meeting.date }}")],
            [("Chair:", "{{ meeting.chair }}")],
            [("Secretariat:", "{{ meeting.secretariat }}")],
            [("Venue:", "{{ meeting.venue }}")],
        ],
        [3.5],
    )
    para(doc, "Attendance", style="Heading 1")
    table = grid(doc, [6.5, 6.0, 4.5])
    heading_row(table, ["Name", "Title", "Agency"])
    for label, people in (("Attendees:", "attendees"), ("Apologies:", "apologies")):
        merged_row(table, label, fill=SECTION_FILL)
        tag_row(table, f"{{%tr for person in {people} %}}")
        values_row(table, ["{{ person.name }}", "{{ person.title }}", "{{ person.agency }}"])
        tag_row(table, "{%tr endfor %}")
    para(doc, "Notes", style="Heading 1")
    para(doc, "{%p for item in items %}")
    para(
        doc, "{% if item.number %}{{ item.number }}. {% endif %}{{ item.title }}", style="Heading 2"
    )
    para(doc, "{%p for line in item.paragraphs %}")
    para(doc, '{%p if line.style == "subheading" %}')
    para(doc, "{{ line.text }}", style="Heading 3")
    para(doc, '{%p elif line.style == "bullet" %}')
    para(doc, "{{r line.rich }}", style="List Bullet")
    para(doc, '{%p elif line.style == "action" %}')
    action = para(doc, "{{ line.label }}", bold=True)
    action.add_run(" {{ line.text }}")
    para(doc, '{%p elif line.style == "table" %}')
    looped_table(doc, "line.header", "line.rows")
    para(doc, "{%p else %}")
    para(doc, "{{r line.rich }}")
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")
    return doc


def looped_table(doc, header: str, rows: str) -> Table:
    """A table of any number of columns and rows: `header` its repeating heading row."""
    table = grid(doc, [0.5, 16.0, 0.5])
    heading_row(table, [f"{{%tc for cell in {header} %}}", "{{ cell }}", "{%tc endfor %}"])
    tag_row(table, f"{{%tr for row in {rows} %}}")
    values_row(table, ["{%tc for cell in row %}", "{{ cell }}", "{%tc endfor %}"])
    tag_row(table, "{%tr endfor %}")
    return table


def notes() -> Document:
    """The notes template a minute-taker types in: the meeting, attendance, one heading per item.

    What is for the minute-taker alone (the guidance, each item's lead) is in styles packgen
    doesn't read back as notes: Notes Guidance and Item Lead."""
    doc = new_document("Notes template")
    guidance = doc.styles.add_style("Notes Guidance", 1)
    guidance.base_style = doc.styles["Normal"]
    guidance.font.italic = True
    guidance.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    lead = doc.styles.add_style("Item Lead", 1)
    lead.base_style = doc.styles["Normal"]
    lead.font.italic = True
    lead.next_paragraph_style = doc.styles["Normal"]
    title = para(doc, "{{ meeting.title }}", style="Title")
    outline = OxmlElement("w:outlineLvl")  # the document's heading for a screen reader: level 1
    outline.set(qn("w:val"), "0")
    title._p.get_or_add_pPr().append(outline)
    details(
        doc,
        [
            [("Date:", "{{ meeting.date }}"), ("Time:", "{{ meeting.time }}")],
            [("Venue:", "{{ meeting.venue }}")],
            [("Chair:", "{{ meeting.chair }}")],
            [("Secretariat:", "{{ meeting.secretariat }}")],
        ],
        [3.0, 10.0, 12.0],
    )
    for text in (
        "Mark each member attended or apologies in the Attendance column, with whom they "
        "deputise for and when they arrived if late. Write the notes under each item's heading "
        "with Word's own styles: headings, bullets and bold lines for sub-headings. Write each "
        "new action on a line of its own, numbered on from the action log:",
        "{{ action_example }}",
        "Save the finished notes as data/minutes/{{ meeting.iso }}.docx: packgen reads them for "
        "the next pack and checks their actions against the action log.",
    ):
        para(doc, text, style="Notes Guidance")
    para(doc, "Attendance", style="Heading 1")
    table = grid(doc, [4.6, 1.8, 4.2, 2.4, 2.4, 1.6])
    heading_row(table, ["Name", "Initials", "Agency", "Attendance", "Deputising For", "Arrived"])
    tag_row(table, "{%tr for member in members %}")
    values_row(
        table, ["{{ member.name }}", "{{ member.initials }}", "{{ member.agency }}", "", "", ""]
    )
    tag_row(table, "{%tr endfor %}")
    para(doc, "Notes", style="Heading 1")
    para(doc, "{%p for item in items %}")
    para(doc, "{{ item.number }}. {{ item.title }}", style="Heading 2")
    para(doc, "Lead: {{ item.lead }}", style="Item Lead")
    para(doc)
    para(doc, "{%p endfor %}")
    return doc


def action_log() -> Document:
    """Action log: actions grouped under their meetings, open ones shaded."""
    doc = new_document("Action log")
    para(doc, "{{ partnership }}", style="Title")
    para(doc, "{{ title }}", style="Heading 1").alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, "{{ summary }}")
    table = grid(doc, [1.8, 5.6, 2.2, 5.6, 1.8])
    heading_row(table, ["Ref", "Action", "Lead", "Update Comments", "Status"])
    tag_row(table, "{%tr for group in groups %}")
    merged_row(table, "Meeting: {{ group.heading }}", fill=SECTION_FILL)
    tag_row(table, "{%tr for action in group.actions %}")
    row = values_row(
        table,
        [
            "{{ action.ref }}",
            "{{ action.text }}",
            "{{ action.lead }}",
            "{{ action.update }}",
            "{% cellbg action.shade %}{{ action.status }}",
        ],
    )
    row.cells[4].paragraphs[0].runs[0].bold = True
    tag_row(table, "{%tr endfor %}")
    tag_row(table, "{%tr endfor %}")
    para(doc)
    para(doc, "Open and carried-forward actions are shaded in the Status column.")
    para(doc, "{%p if closed %}")
    para(doc, "Closed since the meeting of {{ closed_since }}", style="Heading 2")
    para(doc, "For the Partnership to agree their closure.")
    closed = grid(doc, [1.8, 6.6, 2.2, 6.4])
    heading_row(closed, ["Ref", "Action", "Lead", "Update Comments"])
    tag_row(closed, "{%tr for action in closed %}")
    values_row(
        closed,
        ["{{ action.ref }}", "{{ action.text }}", "{{ action.lead }}", "{{ action.update }}"],
    )
    tag_row(closed, "{%tr endfor %}")
    para(doc, "{%p endif %}")
    return doc


def tracker() -> Document:
    """Case review tracker (landscape): one row per case."""
    doc = new_document("Case review tracker", landscape=True)
    para(doc, "{{ title }}", style="Heading 1")
    widths = [2.2, 2.4, 6.0, 2.0, 8.2, 2.5, 2.4]
    table = grid(doc, widths)
    heading_row(
        table,
        [
            "Initials",
            "Notification Date to NP",
            "Case Summary/Themes",
            "Lead Authority",
            "Update",
            "Presentation to Local SCP",
            "Published Y/N",
        ],
    )
    tag_row(table, "{%tr for case in cases %}")
    values_row(
        table,
        [
            "{{ case.initials }}",
            "{{ case.notified }}",
            "{{ case.summary }}",
            "{{ case.lead_authority }}",
            "{{ case.update }}",
            "{{ case.presented }}",
            "{{ case.published }}",
        ],
    )
    tag_row(table, "{%tr endfor %}")
    return doc


def forward_plan() -> Document:
    """Agenda forward plan: each meeting's items, the meeting of this pack shaded."""
    doc = new_document("Agenda forward plan")
    para(doc, "{{ partnership }}", style="Title")
    para(doc, "{{ title }}", style="Heading 1").alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = grid(doc, [1.2, 7.0, 2.3, 6.5])
    heading_row(table, ["No.", "Agenda Item", "Lead", "Notes"])
    tag_row(table, "{%tr for meeting in meetings %}")
    merged_row(table, "{% cellbg meeting.shade %}Meeting: {{ meeting.heading }}")
    tag_row(table, "{%tr for item in meeting.items %}")
    values_row(
        table, ["{{ item.number }}", "{{ item.title }}", "{{ item.lead }}", "{{ item.notes }}"]
    )
    tag_row(table, "{%tr endfor %}")
    tag_row(table, "{%tr endfor %}")
    para(doc)
    para(doc, "Meetings are held approximately every six weeks.")
    return doc


TITLE = "{{ header.title }}"


def recommendations() -> Document:
    """SCR recommendations (landscape): case header, then one column per agency."""
    doc = new_document("SCR recommendations", landscape=True)
    para(doc, "{{ title }}", style="Heading 1")
    details(
        doc,
        [
            [("Case Type:", "{{ header.case_type }}"), ("Publication Date:", "{{ header.date }}")],
            [
                ("Lead LSCP:", "{{ header.lead }}"),
                ("Title and link to Report:", "{{ header.title }}"),
            ],
            [("Comments:", "{{ header.comments }}")],
        ],
        [3.5, 12.85, 17.35],
    )
    para(doc)
    table = grid(doc, [7.0, 0.5, 17.7, 0.5])
    heading_row(
        table,
        ["Recommendation", "{%tc for agency in agencies %}", "{{ agency }}", "{%tc endfor %}"],
    )
    tag_row(table, "{%tr for rec in recommendations %}")
    values_row(
        table,
        [
            "{{ rec.number }}. {{ rec.text }}",
            "{%tc for response in rec.responses %}",
            "{{ response }}",
            "{%tc endfor %}",
        ],
    )
    tag_row(table, "{%tr endfor %}")
    return doc


def letter() -> Document:
    """A letter from the partnership, with the signatory's signature image when signed."""
    doc = new_document("Letter")
    para(doc, "{%p if logos %}")
    para(
        doc, "{% for logo in logos %}{{ logo }} {% endfor %}"
    ).alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(doc, "{%p endif %}")
    para(doc, "{{ partnership }}", style="Title")
    partners = para(doc, "{{ partners }}")
    partners.alignment = WD_ALIGN_PARAGRAPH.CENTER
    partners.runs[0].font.size = Pt(9)
    para(doc, "Reply address: {{ reply_address }}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    para(doc)
    para(doc, "{%p for line in recipient %}")
    para(doc, "{{ line }}", style="Address")
    para(doc, "{%p endfor %}")
    para(doc)
    para(doc, "{{ date }}")
    para(doc)
    para(doc, "{{ salutation }}")
    para(doc, "{{ subject }}", bold=True)
    para(doc, "{%p for paragraph in paragraphs %}")
    para(doc, "{{ paragraph }}")
    para(doc, "{%p endfor %}")
    para(doc, "Yours sincerely")
    para(doc, "{%p if signature %}")
    para(doc, "{{ signature }}")
    para(doc, "{%p else %}")
    para(doc)
    para(doc)
    para(doc, "{%p endif %}")
    para(doc, "{{ signatory.name }}", style="Address", bold=True)
    para(doc, "{{ signatory.title }}", style="Address")
    para(doc, "{{ signing_line }}")
    para(doc, "{%p if enclosure %}")
    para(doc, "Enc: {{ enclosure }}")
    para(doc, "{%p endif %}")
    return doc


TEMPLATES = {
    "agenda.docx": agenda,
    "minutes.docx": minutes,
    "action_log.docx": action_log,
    "tracker.docx": tracker,
    "forward_plan.docx": forward_plan,
    "recommendations.docx": recommendations,
    "letter.docx": letter,
    "notes.docx": notes,
}


def main(out: Path) -> None:
    """Write every template into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES.items():
        buffer = io.BytesIO()
        doc = build()
        _slim(doc, OFFERED.get(name, ()))
        doc.save(buffer)
        _write_fixed_dates(buffer, out / name)


# python-docx's blank document carries 800 KB of styles a template never uses (a copy of them
# for Word 2010, a hundred unused styles, the gallery's latent styles) and a thumbnail. Every
# document rendered from a template would carry them too: to parse, hash and convert each time.
_UNUSED_PARTS = ("stylesWithEffects", "thumbnail")
_STYLE_REFS = ("w:pStyle", "w:rStyle", "w:tblStyle")
_STYLE_LINKS = ("w:basedOn", "w:link", "w:next")


# Styles a template offers the person who types in it, though it doesn't use them itself.
OFFERED = {"notes.docx": ("Heading3", "ListBullet", "ListNumber", "Strong")}


def _slim(doc: Document, offered: Sequence[str] = ()) -> None:
    """Drop the parts and styles the template doesn't use, keeping what its styles build on."""
    for rels in (doc.part.rels, doc.part.package.rels):
        for rid in [r for r, rel in rels.items() if rel.reltype.endswith(_UNUSED_PARTS)]:
            del rels[rid]
    styles = doc.styles.element
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)
    by_id = {style.get(qn("w:styleId")): style for style in styles.iter(qn("w:style"))}
    wanted = _used_style_ids(doc) | {i for i, s in by_id.items() if s.get(qn("w:default")) == "1"}
    wanted |= set(offered)
    pending = list(wanted)
    while pending:
        style = by_id.get(pending.pop())
        for link in [] if style is None else [style.find(qn(tag)) for tag in _STYLE_LINKS]:
            if link is not None and link.get(qn("w:val")) not in wanted:
                wanted.add(link.get(qn("w:val")))
                pending.append(link.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in wanted:
            styles.remove(style)


def _used_style_ids(doc: Document) -> set[str]:
    """The styles the body, headers, footers and numbering name."""
    parts = [doc.element] + [
        rel.target_part.element
        for rel in doc.part.rels.values()
        if not rel.is_external
        and not rel.reltype.endswith("/styles")
        and hasattr(rel.target_part, "element")
    ]
    return {
        ref.get(qn("w:val")) for part in parts for tag in _STYLE_REFS for ref in part.iter(qn(tag))
    }


def _write_fixed_dates(buffer: io.BytesIO, target: Path) -> None:
    """Write the .docx with fixed zip entry dates, so an unchanged template stays unchanged."""
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("packgen/templates"))
