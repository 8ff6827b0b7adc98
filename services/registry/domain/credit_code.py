"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters: registration authority (1), organisation category (1), administrative
division code (6 digits), organisation code (9, itself from GB 11714), check character (1).
Only the GB 32100 check character is verified: it catches every single-character typo and
almost every swap of neighbours, which is what spreadsheets produce. The organisation code's
own GB 11714 check is not enforced, because older codes issued to 个体工商户 are not reliably
conformant and refusing a real, registered code would be worse than missing a rare typo.
"""

from __future__ import annotations

import re
import unicodedata

from services.registry.domain.errors import InvalidRegistration

# GB 32100 leaves out I, O, Z, S and V so they cannot be misread as 1, 0, 2, 5 and U.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
# What Excel makes of a code typed as a number ("1.14111E+17"): its last digits are gone.
_AS_NUMBER = re.compile(r"^\d(\.\d+)?E\+\d+$")
_SPACE = re.compile(r"\s+")


def check_character(first_17: str) -> str:
    """The check character for the first 17 characters of a code (which must be valid)."""
    total = sum(
        ALPHABET.index(char) * weight for char, weight in zip(first_17, WEIGHTS, strict=True)
    )
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why `code` (already upper-cased and stripped) is not a valid code, or None: a whole
    reason, Chinese first, English in brackets."""
    found = _problem(code)
    if found is None:
        return None
    chinese, english = found
    return (
        f"不是有效的统一社会信用代码: {chinese} (not a valid unified social credit code: {english})"
    )


def _problem(code: str) -> tuple[str, str] | None:
    if _AS_NUMBER.match(code):
        return (
            "表格把它变成了数字, 丢了末几位; 请将该列设为文本格式后重新填写",
            "the spreadsheet turned it into a number and lost its last digits; format the "
            "column as text and type the code again",
        )
    if len(code) != LENGTH:
        return (
            f"须为 {LENGTH} 位, 现为 {len(code)} 位",
            f"must be {LENGTH} characters, got {len(code)}",
        )
    for position, char in enumerate(code, start=1):
        if char not in ALPHABET:
            return (
                f"第 {position} 位 ({char!r}) 不可用 (不含 I、O、Z、S、V)",
                f"character {position} ({char!r}) is not allowed (I, O, Z, S, V never occur)",
            )
    if not code[2:8].isdigit():
        return (
            "第 3-8 位须为行政区划代码 (数字)",
            "characters 3-8 must be the administrative division code (digits)",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        return (
            f"校验位为 {code[17]!r}, 应为 {expected!r}, 代码有误",
            f"check character is {code[17]!r}, expected {expected!r}: the code has a typo",
        )
    return None


def canonical_credit_code(raw: str) -> str:
    """Upper case, half-width, without spaces: lower case, 全角 characters (an IME left in
    full-width mode) and spaces grouping the characters are what people type for a code
    that is printed without them, as names compare 全角/半角 alike."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", raw)).upper()


def normalize_credit_code(raw: str, field: str = "credit_code") -> str:
    """The code in its canonical form (`canonical_credit_code`), or a 422 naming `field`."""
    code = canonical_credit_code(raw)
    problem = credit_code_problem(code)
    if problem is not None:
        raise InvalidRegistration(problem, field=field)
    return code
