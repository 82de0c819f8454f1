"""PDF objects as JSON data and back, exactly: each type JSON lacks is tagged; and names that
are quick to write."""

from __future__ import annotations

import functools
from typing import ClassVar

from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)


class Name(NameObject):
    """A name pypdf writes as it writes any other, its bytes worked out once per name: a pack's
    structure trees write the same few names (/S, /P, /K, /Pg, /StructElem) tens of thousands of
    times, and working out a name's bytes is most of what writing them costs."""

    _written: ClassVar[dict[str, bytes]] = {}

    def renumber(self) -> bytes:
        written = self._written.get(self)
        if written is None:
            written = self._written[str(self)] = super().renumber()
        return written


@functools.cache
def name(value: str) -> Name:
    """The one `Name` for `value` ("/S")."""
    return Name(value)


def encode_object(value: PdfObject) -> object:
    """Write a direct PDF object as JSON data; TypeError for one it can't (a reference)."""
    if isinstance(value, BooleanObject):
        return bool(value)
    if isinstance(value, NullObject):
        return None
    if isinstance(value, NameObject):
        return {"n": str(value)}
    if isinstance(value, NumberObject):
        return int(value)
    if isinstance(value, FloatObject):
        return {"f": repr(float(value))}
    if isinstance(value, TextStringObject):
        return {"t": str(value)}
    if isinstance(value, ByteStringObject):
        return {"b": bytes(value).hex()}
    if isinstance(value, ArrayObject):
        return [encode_object(v) for v in value]
    if isinstance(value, DictionaryObject):
        return {"d": [[str(k), encode_object(v)] for k, v in value.items()]}
    raise TypeError(f"a {type(value).__name__} can't be written as data")


def decode_object(value: object) -> PdfObject:
    """Return the PDF object `encode_object` wrote."""
    if value is None:
        return NullObject()
    if isinstance(value, bool):
        return BooleanObject(value)
    if isinstance(value, int):
        return NumberObject(value)
    if isinstance(value, list):
        return ArrayObject(decode_object(v) for v in value)
    if isinstance(value, dict):
        ((tag, data),) = value.items()
        if tag == "n":
            return name(data)
        if tag == "f":
            return FloatObject(float(data))
        if tag == "t":
            return TextStringObject(data)
        if tag == "b":
            return ByteStringObject(bytes.fromhex(data))
        if tag == "d":
            return DictionaryObject({name(k): decode_object(v) for k, v in data})
    raise ValueError(f"not an encoded PDF object: {value!r}")
