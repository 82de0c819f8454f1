"""Check: every workbook, paper and cross-reference, all problems found at once."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "inputs": ["Prepared", "inspect", "prepare", "stop_message", "summary"],
        "notes": [
            "NewAction",
            "agenda_items",
            "guess_lead",
            "new_actions",
            "next_refs",
            "notes_of",
        ],
        "paper_formats": ["ACCEPTED", "FORMATS", "PaperFormat", "paper_format"],
        "tagging": ["OWN_ADVICE", "PAPER_ADVICE", "not_tagged", "untagged_papers"],
    },
)
