from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

# Debian's fonts-wqy-microhei: a TrueType (glyf) collection, which PDF subsetting and Pillow
# both read; fonts-noto-cjk's CFF collection would also do for PNG but not for every PDF viewer.
DEFAULT_CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
# Debian's fonts-hanazono (花園明朝, TrueType): HanaMinA the BMP's ideographs (URO, extension A,
# compatibility), HanaMinB those of plane 2 (extensions B to F), which WenQuanYi lacks.
HANAZONO = Path("/usr/share/fonts/truetype/hanazono")
DEFAULT_CJK_FALLBACK_FONTS = (HANAZONO / "HanaMinA.ttf", HANAZONO / "HanaMinB.ttf")


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PINGYI_REPORTING_", extra="ignore")
    port: int = 8705
    cjk_font: Path = DEFAULT_CJK_FONT
    """The CJK font drawn into PNG charts and embedded in PDF files (a .ttf, .otf or .ttc)."""
    cjk_font_index: int = 0
    """Which font of a collection (.ttc) to use."""
    cjk_fallback_fonts: tuple[Path, ...] = DEFAULT_CJK_FALLBACK_FONTS
    """Fonts tried in order for a character `cjk_font` has no glyph for (TrueType files; of
    a collection, its first font), as a JSON list; `[]` for none."""
    publish_catch_up_seconds: float = 5.0
    """How long a publication waits for reporting to have applied scoring's log up to its
    head as it stood when the request came (so a final replaced since is refused); past it
    the request is answered 503 `scoring_not_caught_up` and nothing is published."""
