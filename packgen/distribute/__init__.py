"""Distribute: the pack emailed to the members, with a log of what was sent to whom."""

from packgen.faces import lazy_face

__getattr__, __dir__, __all__ = lazy_face(
    __name__,
    {
        "emailing": ["EmailOptions", "email_meeting", "email_pack"],
        "sendlog": ["SENT_LOG", "SendLog"],
        "supplements": ["restricted_warnings"],
        "trace": ["trace_copy"],
    },
)
