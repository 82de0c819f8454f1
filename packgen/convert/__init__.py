"""Convert: documents and papers to PDF with LibreOffice, kept or started ahead, cached."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "cache": ["CACHE_DIR", "CachedConverter", "PdfCache", "installation"],
        "conversion": ["INSTALL_HINT", "convert_to_pdf", "require_soffice", "split_batches"],
        "kept": ["RUNTIME_ENV", "kept_offices", "stop_offices"],
        "paper_copies": ["copy_paper", "image_document", "missing_parts", "refuse_missing_parts"],
        "profile": ["prepare_profile"],
        "soffice": ["client_command", "soffice_version"],
    },
)
