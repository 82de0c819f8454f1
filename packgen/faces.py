"""Stage faces: the few names a stage offers the others, each imported when first used.

A stage's `__init__.py` names what it offers and the module each name lives in; importing the
stage imports none of them, so a command pulls in only the libraries of the stages it runs
(an unchanged rebuild never loads python-docx, Jinja or pypdf).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_face(
    package: str, offers: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """Return the `__getattr__`, `__dir__` and `__all__` of a face offering, from each of the
    package's modules (`offers`' keys), the names listed."""
    home = {name: module for module, names in offers.items() for name in names}
    shadowed = sorted(set(home) & set(offers))
    if shadowed:  # importing the module would set the package's attribute to it, not the name
        raise ValueError(f"{package} offers {shadowed}, named as its own modules are")

    def __getattr__(name: str) -> Any:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)  # found at once from now on
        return value

    def __dir__() -> list[str]:
        return sorted(home)

    return __getattr__, __dir__, sorted(home)
