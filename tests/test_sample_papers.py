"""The papers officers sent in for 15 October 2020, as built by tools/sample_papers.py."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
PAPERS = ROOT / "data" / "papers" / "2020-10-15"
SEED = ROOT.parent / "shared" / "seed" / "000_1a84267b551a4c97.txt"

# Distinctive phrases from the seed pack, several of them joined across its page breaks.
PHRASES = {
    "Briefing - Adolescent Suicide.docx": [
        "Briefing – Adolescent Suicide Research and Learning Reviews",
        "merit in commissioning a themed learning review",
        "In the 82 days preceding lockdown",
        "specific focus on provision of mental health services to adolescents during COVID-19",
        "Predictors of future suicide attempt amongst adolescents",
        "Health Safety Investigation Branch (HSIB)",
        "Who is in the transition gap?",
        "'caseness' during lockdown and patterns associated with key demographic factors",
        "Themed Analysis Report nine findings to inform an action plan for the BHR footprint",
    ],
    "Kent Thematic Analysis - Executive Summary.pdf": [
        "Kent Safeguarding Children multi-agency partnership",
        "Dr Terence Nice",
        "Rising Tide of Risk and Concern",
        "Suicidal young people cannot wait",
        "rising tide of risk and need in the context of systems",
        "processes that drive young people to take their own lives",
        "protective membrane around the young person",
        "there is much to learn",
    ],
    "Case Review Protocol.docx": [
        "Initiating a Child Safeguarding Practice Review or other Practice/Management Learning",
        "DRAFT",
        "Section 16C (1) of the Children Act 2004",
        "within 5 working days using the online notification process",
        "Reviews not reaching CSPR criteria",
        "the Child Death Review' gathers momentum",
        "Ultimately any dispute or concerns about the progress of practice development",
    ],
    "Case Review Referral Form.docx": [
        "for Consideration of a Case Review",
        "FAMILY COMPOSITION & DETAILS OF INCIDENT LEADING TO REFERRAL",
        "Subject to a CP Plan or previously subject to CP Process + dates",
        "Legal Status and/or current criminal proceedings",
        "A multi-agency Rapid Review of your referral will be undertaken",
        "Please submit completed form to:",
    ],
    "Rapid Review Process.docx": [
        "The CCG Designated Nurse will co-ordinate notification to health providers",
        "by close of business on day 6 of the Rapid Review timeline",
        "by 9.30am on day 13",
        "Strategic Partners agree and sign off final copy.",
        "Mailbox.NationalReviewPanel@education.gov.uk",
    ],
    "Rapid Review Individual Agency Summary.docx": [
        "Rapid Review Individual Agency Summary (to be completed by all agencies)",
        "Please refer to your own agency's guidance on securing files",
        "(including non-resident parent/guardian, partners, lodgers, grandparents)",
        "Has your agency had contact with the child or family?",
        "Highlight new or recurrent learning",
        "Metropolitan Police",
    ],
    "Learning from No Harm Incidents.docx": [
        "Learning from No Harm Incidents and Good Practice",
        "we risk limiting or distorting our understanding of whole system functioning",
        "something could have gone wrong but it has been prevented",
        "Anonymising for use in training",
        "via the BHR Strategic Partners group",
    ],
    "Rapid Review Letter.docx": [
        "Dear Safeguarding Lead",
        "within 15 working days",
        "[insert submission date]",
        "Add appropriate signature for area",
        "Enc: Individual Agency Summary Form",
    ],
    "Sir Alan Wood - Phase One Report.pdf": [
        "Sector Expert Review of multi agency arrangements for protecting children.",
        "Phase One Report.",
        "old wine in new bottles",
        "Learning Cross Public Sector Innovation (2017)",
        "more needs to be done by central government departments to support and foment",
        "focused review on the role of the statutory partners in promoting improvement in practice",
        "providing support, advice, guidance and direction to statutory partners",
        "final draft report by the end of December 2020",
        "Sir Alan Wood CBE 18 06 20",
    ],
}


def normalise(text: str) -> str:
    """Collapse whitespace and rejoin words a PDF line break split after a hyphen."""
    text = re.sub(r"-\s*\n\s*", "-", text.replace("\u00a0", " "))
    return re.sub(r"\s+", " ", text).strip()


def _paragraph_text(paragraph) -> str:
    """Return a paragraph's text with tabs and breaks as spaces."""
    parts = []
    for element in paragraph.iter():
        if element.tag == qn("w:t"):
            parts.append(element.text or "")
        elif element.tag in (qn("w:tab"), qn("w:br")):
            parts.append(" ")
    return "".join(parts)


def paper_text(path: Path) -> str:
    """Return a paper's text: every page of a PDF, or a docx's header, body and tables."""
    if path.suffix == ".pdf":
        return normalise("\n".join(page.extract_text() for page in PdfReader(path).pages))
    document = docx.Document(str(path))
    header = document.sections[0].header._element
    paragraphs = [*header.iter(qn("w:p")), *document.element.body.iter(qn("w:p"))]
    return normalise("\n".join(_paragraph_text(p) for p in paragraphs))


@pytest.fixture(scope="session")
def builder() -> ModuleType:
    """Load tools/sample_papers.py as a module."""
    spec = importlib.util.spec_from_file_location("sample_papers", ROOT / "tools/sample_papers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_papers_folder_holds_exactly_the_nine_papers() -> None:
    assert sorted(p.name for p in PAPERS.iterdir()) == sorted(PHRASES)


@pytest.mark.parametrize("name", sorted(PHRASES))
def test_paper_contains_its_seed_phrases(name: str) -> None:
    text = paper_text(PAPERS / name)
    missing = [phrase for phrase in PHRASES[name] if phrase not in text]
    assert not missing


@pytest.mark.parametrize("name", sorted(n for n in PHRASES if n.endswith(".docx")))
def test_docx_core_properties_are_fixed(name: str) -> None:
    props = docx.Document(str(PAPERS / name)).core_properties
    assert props.title and props.author
    assert props.created == props.modified
    assert props.created.date() >= dt.date(2020, 10, 1)
    assert props.created.date() <= dt.date(2020, 10, 9)


@pytest.mark.parametrize(
    ("name", "title"),
    [
        (
            "Kent Thematic Analysis - Executive Summary.pdf",
            "Suicide in Children and Young People - Thematic Analysis: Executive Summary",
        ),
        (
            "Sir Alan Wood - Phase One Report.pdf",
            "Sector Expert Review of multi agency arrangements for protecting children. "
            "Phase One Report.",
        ),
    ],
)
def test_pdf_metadata_has_title_and_fixed_date(name: str, title: str) -> None:
    meta = PdfReader(PAPERS / name).metadata
    assert meta.title == title
    assert meta["/CreationDate"].startswith("D:202010")


def test_committed_docx_papers_match_the_transcribed_text(
    builder: ModuleType, tmp_path: Path
) -> None:
    built = builder.build_all(tmp_path, docx_only=True)
    assert len(built) == 7
    stale = [p.name for p in built if paper_text(p) != paper_text(PAPERS / p.name)]
    assert not stale


def test_docx_build_is_byte_for_byte_reproducible(builder: ModuleType, tmp_path: Path) -> None:
    first = builder.build_all(tmp_path / "first", docx_only=True)
    second = builder.build_all(tmp_path / "second", docx_only=True)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    with zipfile.ZipFile(first[0]) as archive:
        assert {info.date_time for info in archive.infolist()} == {builder.ZIP_TIME}


@pytest.mark.skipif(not SEED.exists(), reason="the seed pack is not beside this checkout")
def test_phrases_are_taken_from_the_seed() -> None:
    seed = normalise(SEED.read_text(encoding="utf-8").replace("\t", " ").replace("**", ""))
    seed = re.sub(r"\[(.+?)\]\(#\)", r"\1", seed).replace("\\(", "(").replace("\\)", ")")
    pagebreak_joined = normalise(re.sub(r"\s*\n\s*\n(?:- )?", " ", SEED.read_text("utf-8")))
    absent = [
        phrase
        for phrases in PHRASES.values()
        for phrase in phrases
        if phrase not in seed and phrase not in pagebreak_joined
    ]
    assert not absent
