"""The fonts PNG charts and PDF files draw with: a CJK font and the fallbacks that cover what
it lacks (the CJK extensions: a unit named 𠮷野家服务中心, U+20BB7, is printed as named), all
files named by the settings, so a machine without one answers a clear 503 naming the setting
rather than drawing empty boxes.

A character that no font of the chain has a glyph for is never dropped: it is drawn as its
code point in brackets, `〔U+E000〕` (`printable`), and a PDF that holds one says so under its
title (`unprintable_note`), so an official document never shows a name other than the one
recorded, even by one character."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fastapi import Request
from fontTools.ttLib import TTFont

from services.reporting.errors import fallback_font_missing, font_missing
from shared.errors import UnavailableError

NO_GLYPH_NEEDED = frozenset({"Cc", "Cf", "Zl", "Zp"})
"""Unicode categories drawn as nothing (line breaks, joiners): never marked."""


class FontUnavailable(UnavailableError):
    code = "cjk_font_unavailable"


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0

    def covers(self, char: str) -> bool:
        return ord(char) in _cmap(str(self.path), self.index)


@lru_cache(maxsize=16)
def _cmap(path: str, index: int) -> frozenset[int]:
    """The code points the font has a glyph for (read once per process: a font of the CJK
    extensions maps some 60,000)."""
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@dataclass(frozen=True)
class CjkFont:
    """The configured CJK font (`path`, `index` within a collection) and its fallbacks, in
    the order they are tried."""

    path: Path
    index: int = 0
    fallbacks: tuple[Path, ...] = ()

    @property
    def chain(self) -> tuple[FontFile, ...]:
        return (FontFile(self.path, self.index), *(FontFile(path) for path in self.fallbacks))

    def font_for(self, char: str) -> FontFile | None:
        """The first font of the chain with a glyph for `char`; None when none has one."""
        return next((font for font in self.chain if font.covers(char)), None)

    def runs(self, text: str) -> list[tuple[FontFile, str]]:
        """`text` as runs of one font each, every character that no font has (`printable`)
        written as its code point in the first font."""
        runs: list[tuple[FontFile, str]] = []
        primary = self.chain[0]
        for char in text:
            font = primary if needs_no_glyph(char) else self.font_for(char)
            piece = char if font is not None else mark(char)
            font = font or primary
            if runs and runs[-1][0] == font:
                runs[-1] = (font, runs[-1][1] + piece)
            else:
                runs.append((font, piece))
        return runs

    def printable(self, text: str, marked: set[str] | None = None) -> str:
        """`text` with every character that no font of the chain has a glyph for written as
        its code point (`〔U+E000〕`), each one so written added to `marked`."""
        primary = self.chain[0]
        if all(primary.covers(char) or needs_no_glyph(char) for char in text):
            return text
        out = []
        for char in text:
            if needs_no_glyph(char) or self.font_for(char) is not None:
                out.append(char)
            else:
                out.append(mark(char))
                if marked is not None:
                    marked.add(char)
        return "".join(out)


def needs_no_glyph(char: str) -> bool:
    return unicodedata.category(char) in NO_GLYPH_NEEDED


def mark(char: str) -> str:
    """How a character no font can draw is shown: its code point, in brackets."""
    return f"〔U+{ord(char):04X}〕"


def unprintable_note(chars: set[str] | frozenset[str]) -> str:
    """What a PDF says under its title when it holds a character no font could draw."""
    codes = "、".join(mark(char) for char in sorted(chars))
    return (
        f"注：所用字体均无下列字符的字形，文中以方括号内的 Unicode 码位标出：{codes}。"
        "名称以系统记录（JSON、CSV、XLSX）为准。"
    )


def checked(path: Path, index: int = 0, fallbacks: tuple[Path, ...] = ()) -> CjkFont:
    """The fonts at `path` and `fallbacks`, or FontUnavailable saying how to get them."""
    if not path.is_file():
        raise FontUnavailable(
            font_missing(path),
            field="PINGYI_REPORTING_CJK_FONT",
        )
    for fallback in fallbacks:
        if not fallback.is_file():
            raise FontUnavailable(
                fallback_font_missing(fallback),
                field="PINGYI_REPORTING_CJK_FALLBACK_FONTS",
            )
    return CjkFont(path, index, tuple(fallbacks))


def font_of(request: Request) -> CjkFont:
    settings = request.app.state.runtime.settings
    return checked(
        Path(settings.cjk_font),
        int(settings.cjk_font_index),
        tuple(Path(p) for p in settings.cjk_fallback_fonts),
    )
