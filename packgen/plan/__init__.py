"""Plan: which documents the pack holds, in agenda order, and what is restricted."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "documents": [
            "PackDocument",
            "PackPlan",
            "agenda_document",
            "plan_pack",
            "previous_meeting_date",
        ],
        "layout": ["Layout", "PackInfo", "Part", "plan_layout"],
        "restricted": [
            "MANIFEST",
            "PACK_NAME",
            "PASSWORD_ENV",
            "PUBLIC_PACK",
            "check_protection",
            "pack_password",
            "unprotected_warning",
        ],
    },
)
