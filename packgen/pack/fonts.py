"""The fonts packgen draws its own text in (page footers, item stamps, the public notice),
embedded as PDF/UA asks: a subset of an installed TrueType font, WinAnsi-encoded.

Liberation Sans (Debian's fonts-liberation2, installed by `make`) is metric-compatible with
Helvetica, so the stamps keep their size and place. The subset is made once per font file and
kept in the user's cache folder ($XDG_CACHE_HOME/packgen/fonts, else ~/.cache/packgen/fonts)
with its metrics beside it, so a build doesn't import fontTools again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
)

from packgen.files import json_object
from packgen.store import Store

log = logging.getLogger(__name__)

# regular and bold: the stamps; text and text-bold: the supplement's cover, in the templates'
# Calibri (Carlito is metric-compatible with it).
FAMILIES = {
    "regular": "Liberation Sans",
    "bold": "Liberation Sans:bold",
    "text": "Carlito",
    "text-bold": "Carlito:bold",
}
FALLBACKS = {
    "regular": "Carlito",
    "bold": "Carlito:bold",
    "text": "Liberation Sans",
    "text-bold": "Liberation Sans:bold",
}
FIRST, LAST = 32, 255  # the WinAnsi codes a font's widths cover
FORMAT = "packgen font subset 1"
_METRICS = ("name", "widths", "bbox", "ascent", "descent", "cap_height")  # kept as JSON


@dataclass(frozen=True)
class Font:
    """A subset font ready to embed: its name, metrics and widths by WinAnsi code."""

    name: str
    data: bytes  # the subset TrueType file
    widths: tuple[float, ...]  # for codes FIRST..LAST, in 1/1000 em
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    bold: bool

    def width(self, text: str, size: float) -> float:
        """The width of `text` at `size` points, as WinAnsi shows it."""
        codes = text.encode("cp1252", errors="replace")
        return sum(self.widths[c - FIRST] if c >= FIRST else 0 for c in codes) * size / 1000


@functools.cache
def find_font_file(style: str) -> Path | None:
    """Return the installed font file for a style ("regular" or "bold"), or None."""
    executable = shutil.which("fc-match")
    for family in (FAMILIES[style], FALLBACKS[style]):
        if executable is None:
            break
        done = subprocess.run(
            [executable, "-f", "%{file}", family], capture_output=True, text=True, timeout=10
        )
        path = Path(done.stdout.strip())
        named = family.split(":")[0].replace(" ", "") in path.name  # not fontconfig's fallback
        if done.returncode == 0 and named and path.suffix.lower() == ".ttf" and path.is_file():
            return path
    return None


def font_cache(environ: Mapping[str, str] = os.environ) -> Path:
    """The folder the font subsets are kept in."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "packgen" / "fonts"


def load_font(style: str, text: str) -> Font | None:
    """The font for a style ("regular" or "bold") holding only the glyphs `text` needs, made
    once per font file and set of characters; None if no font is installed to embed."""
    chars = "".join(sorted(set(text.encode("cp1252", errors="replace").decode("cp1252"))))
    return _load_font(style, chars)


@functools.cache
def _load_font(style: str, chars: str) -> Font | None:
    path = find_font_file(style)
    if path is None:
        log.warning("No %s font is installed to embed: install fonts-liberation2", FAMILIES[style])
        return None
    data = path.read_bytes()
    key = hashlib.sha256(f"{FORMAT}\n{path.name}\n{chars}\n".encode() + data).hexdigest()
    subsets = Store(font_cache(), ".ttf", "a font subset", logger=log)
    metrics = Store(font_cache(), ".json", "a font subset's metrics", logger=log)
    kept, known = subsets.read(key), json_object(metrics.read(key))
    with contextlib.suppress(KeyError, TypeError, ValueError):
        if kept is not None:  # the subset and its metrics as read before: no fontTools
            return _font_with(kept, known, style.endswith("bold"))
    font = _font_from(kept or _subset(data, chars), style.endswith("bold"))
    if kept is None:
        subsets.put(key, font.data)
    metrics.put(key, json.dumps(_metrics(font)).encode())
    return font


def _metrics(font: Font) -> dict:
    return {field: getattr(font, field) for field in _METRICS}


def _font_with(data: bytes, metrics: dict, bold: bool) -> Font:
    """The font of a subset whose metrics were read before (KeyError if they weren't)."""
    values = {field: metrics[field] for field in _METRICS}
    values["widths"] = tuple(float(w) for w in values["widths"])
    values["bbox"] = tuple(int(v) for v in values["bbox"])
    if len(values["widths"]) != LAST - FIRST + 1 or len(values["bbox"]) != 4:
        raise ValueError("metrics of another form")
    return Font(data=data, bold=bold, **values)


def _subset(data: bytes, chars: str) -> bytes:
    """Keep the glyphs of `chars`, with the tables a PDF reader needs and no hinting."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    options = subset.Options()
    options.hinting = False  # the stamps are small print at fixed sizes
    options.notdef_outline = True
    options.recalc_bounds = True
    options.layout_features = []
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: nothing a reader uses
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars})
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _font_from(data: bytes, bold: bool) -> Font:
    """Read a subset font's name, metrics and WinAnsi widths."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    advances = font["hmtx"].metrics
    widths = []
    for code in range(FIRST, LAST + 1):
        char = bytes([code]).decode("cp1252", errors="ignore")
        glyph = cmap.get(ord(char)) if char else None
        widths.append(round(advances[glyph][0] * scale, 1) if glyph in advances else 0.0)
    head, os2 = font["head"], font["OS/2"]
    bbox = tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    name = font["name"].getDebugName(6) or "PackgenSans"
    return Font(
        name=name,
        data=data,
        widths=tuple(widths),
        bbox=bbox,  # type: ignore[arg-type]
        ascent=round(os2.sTypoAscender * scale),
        descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", 700) * scale),
        bold=bold,
    )


def embed_font(writer: PdfWriter, font: Font) -> IndirectObject:
    """Add a WinAnsi TrueType font dictionary embedding `font`; return its reference."""
    prefix = hashlib.sha256(font.data).hexdigest()[:6].upper().translate(_LETTERS)
    base = NameObject(f"/{prefix}+{font.name}")
    file = DecodedStreamObject()
    file.set_data(font.data)
    file[NameObject("/Length1")] = NumberObject(len(font.data))
    descriptor = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): base,
            NameObject("/Flags"): NumberObject(32),  # nonsymbolic
            NameObject("/FontBBox"): ArrayObject(NumberObject(v) for v in font.bbox),
            NameObject("/ItalicAngle"): NumberObject(0),
            NameObject("/Ascent"): NumberObject(font.ascent),
            NameObject("/Descent"): NumberObject(font.descent),
            NameObject("/CapHeight"): NumberObject(font.cap_height),
            NameObject("/StemV"): NumberObject(120 if font.bold else 80),
            NameObject("/FontFile2"): writer._add_object(file.flate_encode()),
        }
    )
    return writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/TrueType"),
                NameObject("/BaseFont"): base,
                NameObject("/FirstChar"): NumberObject(FIRST),
                NameObject("/LastChar"): NumberObject(LAST),
                NameObject("/Widths"): ArrayObject(FloatObject(w) for w in font.widths),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                NameObject("/FontDescriptor"): writer._add_object(descriptor),
            }
        )
    )


def winansi_string(text: str) -> str:
    """A PDF string of `text` in WinAnsiEncoding, written in ASCII with octal escapes."""
    return "(" + "".join(map(_string_byte, text.encode("cp1252", errors="replace"))) + ")"


def _string_byte(byte: int) -> str:
    if byte < 32 or byte > 126:
        return f"\\{byte:03o}"
    return "\\" + chr(byte) if chr(byte) in "()\\" else chr(byte)


_LETTERS = str.maketrans("0123456789", "GHIJKLMNOP")  # a subset tag is six capital letters
