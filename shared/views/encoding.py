"""How documents and keys are written, so a view can hold any string a valid event carries.

PostgreSQL's text and jsonb cannot hold U+0000, and UTF-8 cannot hold a lone surrogate, yet
both can reach an event (events recorded before requests refused them, or from an upstream
we do not control). One bad string must never stall a consumer forever, so:

- documents are stored as JSON text in which every control character is a JSON escape
  (`json.dumps` always escapes them) and, when a string has a lone surrogate, all non-ASCII
  is escaped too; JSON text never contains a raw NUL;
- keys and index values are escaped character by character (`\\` -> `\\\\`, NUL -> `\\0`),
  which is reversible and keeps prefixes prefixes, so prefix scans still work;
- search text (matched by substring, never read back) has NUL and lone surrogates replaced
  (`searchable`), so an escape sequence can never make a false match.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

Document = dict[str, Any]

_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def dump_document(doc: Document) -> str:
    # orjson first: the standard library's encoder was a view's largest cost per document.
    # It refuses what it cannot write as UTF-8 JSON (a lone surrogate, an integer past 64
    # bits), which the standard library then writes as before.
    try:
        return orjson.dumps(doc, option=_ORJSON_OPTIONS).decode("utf-8")
    except (orjson.JSONEncodeError, TypeError):
        pass
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(doc, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return text


def load_document(raw: str | bytes | Document) -> Document:
    if isinstance(raw, dict):
        return raw
    loaded: Document = json.loads(raw)
    return loaded


def escape_text(value: str) -> str:
    if "\\" not in value and "\x00" not in value and not _has_surrogate(value):
        return value
    out: list[str] = []
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == "\x00":
            out.append("\\0")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "".join(out)


def unescape_text(value: str) -> str:
    if "\\" not in value:
        return value
    out: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        following = value[index + 1 : index + 2]
        if following == "0":
            out.append("\x00")
            index += 2
        elif following == "u":
            out.append(chr(int(value[index + 2 : index + 6], 16)))
            index += 6
        else:
            out.append(following)
            index += 2
    return "".join(out)


def searchable(value: str) -> str:
    """Search text (and the needle looked for in it) as stored: NUL and lone surrogates,
    which neither store can hold, become U+FFFD. Not reversible, and need not be: the text
    is only ever matched, never read back, and unlike `escape_text` no escape sequence can
    make a substring match where the original has none."""
    if "\x00" not in value and not _has_surrogate(value):
        return value
    return "".join(
        "\ufffd" if char == "\x00" or 0xD800 <= ord(char) <= 0xDFFF else char for char in value
    )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(value: str) -> bool:
    # Every key, index value and sort value of every row written passes here: a character
    # loop in Python was a third of a view's apply CPU; `isascii` is a flag, the regex C.
    return not value.isascii() and _SURROGATE.search(value) is not None
