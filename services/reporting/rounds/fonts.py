"""The CJK font that PNG charts and PDF files draw with: a file named by the settings, so a
machine without one answers a clear 503 naming the setting rather than drawing empty boxes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import Request

from shared.errors import UnavailableError


class FontUnavailable(UnavailableError):
    code = "cjk_font_unavailable"


@dataclass(frozen=True)
class CjkFont:
    path: Path
    index: int = 0


def checked(path: Path, index: int = 0) -> CjkFont:
    """The font at `path`, or FontUnavailable saying how to get one."""
    if not path.is_file():
        raise FontUnavailable(
            f"CJK font not found at {path}: install Debian's fonts-wqy-microhei "
            "(or fonts-noto-cjk) or set PINGYI_REPORTING_CJK_FONT to a .ttf/.ttc file",
            field="PINGYI_REPORTING_CJK_FONT",
        )
    return CjkFont(path, index)


def font_of(request: Request) -> CjkFont:
    settings = request.app.state.runtime.settings
    return checked(Path(settings.cjk_font), int(settings.cjk_font_index))
