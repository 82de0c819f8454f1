"""The agenda's page references: render and convert it again until the pages it prints are right."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from packgen.check import Prepared
from packgen.convert import CachedConverter
from packgen.errors import ConversionError, Location, Problem
from packgen.pack.merge import open_pdf, page_counts
from packgen.pack.protect import public_parts, public_plan
from packgen.pack.structure import StructureCache, read_ahead
from packgen.plan import Layout, PackDocument, PackPlan, Part, agenda_document, plan_layout
from packgen.render import PageRefs, RenderCache, render_document

MAX_AGENDA_ROUNDS = 5


@dataclass
class PageReferences:
    """Settle the agenda's page references for one build's data, templates and converter."""

    prepared: Prepared
    templates: Path
    convert: CachedConverter
    render_cache: RenderCache | None = None  # agendas rendered before are copied
    agenda_pages: int = 1  # the agenda's length before it is first converted (the last pack's)
    structures: StructureCache | None = None  # the others' trees, read meanwhile (if tagged)

    def settle(
        self, parts: list[Part], plan: PackPlan, folder: Path, *, ahead: bool = False
    ) -> Layout:
        """Render and convert the agenda again until the page references it prints are right.

        With `ahead`, each round also converts the public pack's agenda as protect_pack will
        render it, in the same LibreOffice round, so that its turn later finds the PDF in the cache.
        """
        agenda = agenda_document(plan)
        others = [part for part in parts if part.key != agenda.key]
        counts = page_counts(others)
        counts[agenda.key] = self._agenda_pages(parts, agenda.key)
        # While LibreOffice converts the agenda, the others' structure trees are read for the
        # merge; nothing else reads their PDFs until then.
        if self.structures is None:  # the pack is not tagged: no trees to read
            return self._rounds(parts, plan, folder, counts, agenda, ahead)
        reading = read_ahead([part.pdf for part in others], self.structures, open_pdf)
        try:
            return self._rounds(parts, plan, folder, counts, agenda, ahead)
        finally:
            reading.join()

    def _rounds(self, parts, plan, folder, counts, agenda, ahead: bool) -> Layout:
        printed = None  # no agenda printed page numbers yet
        for _ in range(MAX_AGENDA_ROUNDS):
            layout = plan_layout(parts, counts)
            if layout.items == printed:
                return layout
            printed = layout.items
            docx = self._render(agenda, plan, folder / "documents", printed)
            extra = self._public_agenda(parts, plan, folder, counts) if ahead else []
            pdf = self._convert_agenda(docx, extra, folder / "pdf")
            counts[agenda.key] = len(open_pdf(pdf).pages)
        raise ConversionError(
            f"The agenda's page references did not settle after {MAX_AGENDA_ROUNDS} rounds.",
            [Problem(Location(agenda.template or agenda.key), "its length keeps changing")],
        )

    def _agenda_pages(self, parts: list[Part], key: str) -> int:
        """The agenda's pages: its PDF's when it has one, else `agenda_pages`."""
        agenda = [part for part in parts if part.key == key]
        return page_counts(agenda)[key] if agenda[0].pdf.is_file() else self.agenda_pages

    def _render(
        self, agenda: PackDocument, plan: PackPlan, out: Path, printed: PageRefs | None
    ) -> Path:
        return render_document(
            agenda, plan, self.prepared, self.templates, out, printed, self.render_cache
        )

    def _convert_agenda(self, docx: Path, extra: list[Path], pdf_dir: Path) -> Path:
        """Convert only the agenda (and what goes with it), and only if its content changed."""
        convert = self.convert
        if not extra or convert.has(docx) or convert.has(extra[0]):
            pdf = convert([docx], pdf_dir)[docx]
        else:
            pdfs = convert([docx, *extra], extra[0].parent)  # side by side, one LibreOffice each
            pdf = pdf_dir / f"{docx.stem}.pdf"
            shutil.copyfile(pdfs[docx], pdf)
        if extra:
            shutil.rmtree(extra[0].parent, ignore_errors=True)
        return pdf

    def _public_agenda(
        self, parts: list[Part], plan: PackPlan, folder: Path, counts: dict[str, int]
    ) -> list[Path]:
        """Render the public pack's agenda for these page counts, as protect_pack will need it."""
        restricted = {d.key for d in plan.documents if d.restricted}
        if not restricted:
            return []
        work = folder / ".ahead"
        public = public_parts(parts, restricted, work / "notices")
        layout = plan_layout(public, {p.key: counts.get(p.key, 1) for p in public})
        docx = self._render(agenda_document(plan), public_plan(plan, public), work, layout.items)
        return [docx.rename(docx.with_name(f"{docx.stem}-public.docx"))]  # a name of its own
