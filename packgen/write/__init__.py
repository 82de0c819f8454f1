"""Write: the pack moved into place whole, its manifest, and the unchanged-pack shortcut."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "manifest": [
            "manifest_layout",
            "planned_documents",
            "read_manifest",
            "relative_name",
            "untagged_warnings",
            "write_manifest",
        ],
        "reuse": [
            "Password",
            "kept_without_reading",
            "pack_inputs",
            "read_files",
            "reusable_pack",
            "reuse_record",
        ],
        "staging": ["move_into_place", "staging_folder"],
        "changes": ["Change", "Changes", "PageMove", "compare", "pages_text", "record_changes"],
        "issues": [
            "ISSUED",
            "PUBLIC_SUPPLEMENT",
            "SUPPLEMENT",
            "Issue",
            "issue_of",
            "all_issues",
            "issue_pack",
            "last_issue",
        ],
        "caches": ["prune_caches"],
    },
)
