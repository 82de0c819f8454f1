"""Pack: the PDFs merged in agenda order, page references, the public pack and encryption."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "accessibility": ["Check", "audit"],
        "copies": ["COPY_FOR", "RECIPIENT", "CopyFor", "CopyStamper"],
        "fonts": ["font_cache"],
        "merge": ["assemble", "open_pdf", "page_counts"],
        "pagerefs": ["PageReferences"],
        "protect": ["encrypt_pdf", "is_encrypted", "notice_text", "open_protected", "protect_pack"],
        "supplement": ["Supplement", "assemble_supplement"],
        "structure": ["StructureCache"],
        "split": ["mb", "section_sizes", "split_pack", "write_parts"],
    },
)
