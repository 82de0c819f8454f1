"""Render: the planned documents made from the Word templates with docxtpl."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "cache": ["RenderCache"],
        "context": ["PageRefs"],
        "analysis": ["TemplateRecords"],
        "documents": ["check_templates", "render_all", "render_document"],
        "notes": ["render_notes"],
    },
)
