"""Request field types with the bounds every service applies.

Every string that arrives in a request (body, query, path, header, import cell) is one of the
two text types below, so no service can store what another service's read model cannot hold
or what would forge a line in a file or a header: NUL and other control characters, and lone
surrogates (which are not encodable as UTF-8), are refused with a 422 naming the field.

- `Line`: a one-line label (names, categories, ids chosen by callers). No control
  characters at all, no Unicode line or paragraph separators.
- `Prose`: free text that may span lines (reasons, summaries). Tab, line feed and carriage
  return are allowed; every other control character is refused.

Neither holds a bidirectional embedding, override or isolate (U+202A–U+202E,
U+2066–U+2069): invisible, they reorder how the text around them is shown, so an id or a
unit name could read as another in a list, a page or an export ("Trojan Source"). Nor any
other invisible format character (Unicode category Cf: zero-width space, direction marks,
the byte-order mark, soft hyphen, word joiner, tags): "临颍县\u200b民政局" reads as
临颍县民政局 yet passes every duplicate check. Prose keeps the zero-width joiners and the
direction marks, which emoji sequences and right-to-left scripts (Uyghur) are written with.

Both carry `x-pingyi-text` in their JSON schema, which the OpenAPI test uses to prove that
no request string bypasses them, and a `pattern` that generators (schemathesis) respect.

Dates and times in evaluation work lie in this century; anything else is a typo, and far
years would also overflow time-zone arithmetic (a 500 instead of a clear 422).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from shared.reasons import URL_INT_ENGLISH

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100

TextKind = Literal["line", "prose"]
TEXT_MARKER = "x-pingyi-text"
_PROSE_ALLOWED = frozenset("\t\n\r")
_LINE_BREAKERS = frozenset("\u2028\u2029\u0085")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_PROSE_KEEPS = frozenset("\u200c\u200d\u200e\u200f\u061c")
"""Zero-width (non-)joiners and the left-to-right, right-to-left and Arabic letter marks:
invisible, but part of how emoji sequences and right-to-left scripts (Uyghur among them)
are written, so free text keeps them; a one-line label (a name, an id) does not."""
_FORMAT_SPANS_UNICODE_14 = (
    (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F),
    (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)  # fmt: skip
"""Unicode 14.0's category Cf (Python 3.11's `unicodedata`), as inclusive code point spans.
Reading it off `unicodedata` means asking about 1.1 million code points: a third of a second
in every process that imports this module (every service process, every CLI command)."""


def format_characters(version: str = unicodedata.unidata_version) -> frozenset[str]:
    """Unicode's category Cf in `version` (this Python's): from the table above when it is
    the table's version, else read off `unicodedata` (a Python with newer Unicode data)."""
    if version == "14.0.0":
        spans = _FORMAT_SPANS_UNICODE_14
        return frozenset(chr(code) for first, last in spans for code in range(first, last + 1))
    return frozenset(
        chr(code) for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
    )


_INVISIBLE = format_characters() - _BIDI_CONTROLS
"""Unicode's format characters other than the bidirectional controls: zero-width space,
direction marks, the byte-order mark, soft hyphen, word joiner, tags… Invisible, they make
two names that read the same differ ("临颍县\u200b民政局" beside 临颍县民政局), so no
duplicate check can see them."""


def _char_class(chars: Iterable[str], *, bmp_only: bool = False) -> str:
    """A regex character class's inside for `chars`, as ranges of escapes."""
    codes = sorted(ord(c) for c in chars if not bmp_only or ord(c) <= 0xFFFF)
    spans: list[list[int]] = []
    for code in codes:
        if spans and code == spans[-1][1] + 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])

    def escape(code: int) -> str:
        return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"

    return "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in spans)


_REFUSED_LINE = _BIDI_CONTROLS | _INVISIBLE
_REFUSED_PROSE = _BIDI_CONTROLS | (_INVISIBLE - _PROSE_KEEPS)
_PATTERNS: dict[TextKind, str] = {
    # For generators (schemathesis): ECMAScript's classes without the u flag read the Basic
    # Multilingual Plane only, so the few format characters beyond it are left to the check.
    "line": (
        r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029" + _char_class(_REFUSED_LINE, bmp_only=True) + "]*$"
    ),
    "prose": (
        r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
        + _char_class(_REFUSED_PROSE, bmp_only=True)
        + "]*$"
    ),
}


_SUSPECT: dict[TextKind, re.Pattern[str]] = {
    "line": re.compile(
        "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + _char_class(_REFUSED_LINE) + "]"
    ),
    "prose": re.compile(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + _char_class(_REFUSED_PROSE) + "]"
    ),
}
"""Every character `text_problem` could object to, as one C-speed scan: clean text (nearly
all of it; a questionnaire carries 160 strings) never reaches the per-character loop."""


def text_problem(value: str, kind: TextKind) -> str | None:
    """Why `value` is not acceptable text of this kind, or None. Shared with importers, which
    read cells outside pydantic models."""
    if _SUSPECT[kind].search(value) is None:
        return None
    for index, char in enumerate(value):
        category = unicodedata.category(char)
        if category == "Cs":
            return (
                f"位置 {index} 处是不成对的代理字符 "
                f"(contains an unpaired surrogate at position {index})"
            )
        if kind == "line" and char in _LINE_BREAKERS:
            return (
                f"须为单行, 位置 {index} 处是换行符 U+{ord(char):04X} "
                f"(must be one line (found U+{ord(char):04X} at position {index}))"
            )
        if char in _BIDI_CONTROLS:
            return (
                f"不能含有双向控制字符, 位置 {index} 处是 U+{ord(char):04X} (must not contain "
                "bidirectional control characters, which reorder how the text is shown "
                f"(found U+{ord(char):04X} at position {index}))"
            )
        if char in _INVISIBLE and not (kind == "prose" and char in _PROSE_KEEPS):
            return (
                f"不能含有不可见的格式字符, 位置 {index} 处是 U+{ord(char):04X} (must not contain "
                "invisible formatting characters (zero-width space, direction mark, "
                f"byte-order mark…; found U+{ord(char):04X} at position {index}))"
            )
        if category == "Cc" and not (kind == "prose" and char in _PROSE_ALLOWED):
            return (
                f"不能含有控制字符, 位置 {index} 处是 U+{ord(char):04X} (must not contain control "
                f"characters (found U+{ord(char):04X} at position {index}))"
            )
    return None


class _TextCheck:
    """Pydantic metadata: validate after the str schema (so length constraints still apply)
    and mark the JSON schema."""

    def __init__(self, kind: TextKind) -> None:
        self.kind = kind

    def check(self, value: str) -> str:
        problem = text_problem(value, self.kind)
        if problem is not None:
            raise ValueError(problem)
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.setdefault("pattern", _PATTERNS[self.kind])
        json_schema[TEXT_MARKER] = self.kind
        return json_schema


Line = Annotated[str, _TextCheck("line")]
"""One line of text: no control characters, no line separators."""

Prose = Annotated[str, _TextCheck("prose")]
"""Free text over several lines: tab, LF and CR allowed, no other control characters."""


def _printable_ascii(value: str) -> str:
    """An HTTP header's text is read as Latin-1, so a value typed in Chinese arrives as other
    characters (UTF-8's bytes one by one), one of which reads as a control character: the
    reason names what to send instead."""
    if not value.strip():
        # An empty key would be one key shared by every request that sends it blank.
        raise ValueError(
            "不能为空或只有空格, 请填写或不发送此请求头 (must not be empty or only spaces: send "
            "a key or leave the header out)"
        )
    for index, char in enumerate(value):
        if not " " <= char <= "~":
            raise ValueError(
                f"只能含可打印的 ASCII 字符, 位置 {index} 处是 U+{ord(char):04X}, 中文在请求头中"
                f"会变成乱码 (must be printable ASCII (found U+{ord(char):04X} at position "
                f"{index}): a header's text is read as Latin-1, so UTF-8 text such as Chinese "
                "arrives garbled; use letters, digits and punctuation)"
            )
    return value


HeaderText = Annotated[str, AfterValidator(_printable_ascii), _TextCheck("line")]
"""A line carried in an HTTP header (an Idempotency-Key): printable ASCII, as the
Idempotency-Key draft's String is, checked before it is checked as a `Line`."""


class _DecimalFormat:
    """A decimal arrives as a JSON number or as text such as "3.5"; the text is parsed by
    `Decimal`, which accepts nothing but a number. The text form is marked `format: decimal`
    (OpenAPI's format registry) so that it is not mistaken for an unchecked string."""

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        for branch in json_schema.get("anyOf", [json_schema]):
            if branch.get("type") == "string":
                branch.setdefault("format", "decimal")
        return json_schema


DecimalNumber = Annotated[Decimal, _DecimalFormat()]
"""A decimal in a request, as a JSON number or as text."""


JsonInt = Annotated[int, Strict()]
"""A whole number in a request body, sent as a JSON number: `true` or `"2"` (or 2.0) is a
422 naming the field, never read as 1 or 2. Query and path parameters arrive as text: they
are `UrlInt`."""

_URL_INT = re.compile(r"0|-?[1-9][0-9]*")
"""A whole number as a URL writes it: ASCII digits, one spelling per number."""
URL_INT_MARKER = "x-pingyi-url-int"


class _UrlIntText:
    """Pydantic metadata: a path or query parameter's text must be a whole number written
    plainly before pydantic's (lax) int parsing reads it, which takes "1.0", " 1", "1 ",
    "+1", "01" as 1 and "1_000" as 1000 (it refuses "1e0", "1.5" and full-width "１"
    itself). A value that is not text (a default) is left to the int schema."""

    def check(self, value: Any) -> Any:
        if isinstance(value, str) and _URL_INT.fullmatch(value) is None:
            raise PydanticCustomError("int_parsing", URL_INT_ENGLISH)
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema[URL_INT_MARKER] = True
        return json_schema


UrlInt = Annotated[int, _UrlIntText()]
"""A whole number in a URL's path or query (a round, a version, a page's `limit`): only
`0` or ASCII digits without a leading zero ("1", "12"), optionally after a minus sign (so
that "-1" is refused by the parameter's bound, 须不小于 1, not as a non-number). Anything
else is 422 `int_parsing` naming `path.<name>` / `query.<name>`: "1.0", "1e0", "+1", " 1",
"1 ", "01", "-0", "1_000", full-width "１". Pydantic's lax mode, which reads path and query
text, would take most of them as a number, so `/rounds/2.0/score-runs` recorded a run for
round 2. One
spelling per number also keeps one URL per resource (caches, logs, idempotency records).
`tests/shared/test_url_ints.py` refuses any integer path or query parameter not of this
type."""

JsonBool = Annotated[bool, Strict()]
"""true or false in a request body, never a word ("yes", "1") or a number read as one."""


def _within_years(value: date) -> date:
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(
            f"须在 {EARLIEST_YEAR} 至 {LATEST_YEAR} 年之间 "
            f"(must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR})"
        )
    return value


def _bounded_moment(value: datetime) -> datetime:
    _within_years(value)
    return value


Day = Annotated[date, AfterValidator(_within_years)]
"""A calendar day in 2000–2100."""

Moment = Annotated[AwareDatetime, AfterValidator(_bounded_moment)]
"""A point in time with its UTC offset (e.g. +08:00), in 2000–2100."""
