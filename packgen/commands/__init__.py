"""Commands: what the command line runs, each calling the stages in order."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "pipeline": ["BuildResult", "build"],
        "doctor": ["diagnose"],
        "init": ["init_partnership"],
        "lock": ["meeting_lock"],
        "notes": ["NewActions", "meeting_actions", "notes_template"],
        "render": ["render_meeting"],
        "template_folder": ["DEFAULT_TEMPLATES", "choose_templates"],
    },
)
