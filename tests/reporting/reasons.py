"""How a reporting refusal's reason reads: Chinese first, English after, as every service
words its refusals (`shared/reasons.py`)."""

from __future__ import annotations

import re
import unicodedata

_ENGLISH = re.compile(r"[A-Za-z]{2,}")


def chinese_first(reason: str) -> bool:
    """True when the reason opens with a Chinese character and has English words after."""
    opening = reason.lstrip()[:1]
    chinese = bool(opening) and unicodedata.name(opening, "").startswith("CJK UNIFIED")
    return chinese and _ENGLISH.search(reason) is not None
