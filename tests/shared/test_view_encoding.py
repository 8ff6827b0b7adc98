"""How keys, index values and search text are escaped for the stores: what a lone surrogate
is (every code point from U+D800 to U+DFFF, paired or not, as `str` holds them) decides
whether a string is escaped, so the fast test must agree with the definition everywhere."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from shared.views.encoding import (
    dump_document,
    escape_text,
    load_document,
    searchable,
    unescape_text,
)

SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
TEXT = st.text(st.one_of(st.characters(), SURROGATES, st.sampled_from("\\\x00汉a")))


def _by_definition(value: str) -> str:
    """escape_text as its docstring states it, one character at a time."""
    out = []
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


@given(TEXT)
def test_escaping_follows_its_definition_and_reverses(value: str) -> None:
    assert escape_text(value) == _by_definition(value)
    assert unescape_text(escape_text(value)) == value


@given(TEXT)
def test_search_text_replaces_exactly_nul_and_surrogates(value: str) -> None:
    expected = "".join(
        "\ufffd" if char == "\x00" or 0xD800 <= ord(char) <= 0xDFFF else char for char in value
    )
    assert searchable(value) == expected


def test_a_surrogate_pair_in_a_str_is_two_surrogates_not_one_character() -> None:
    assert escape_text("钥\ud83d\ude00") == "钥\\ud83d\\ude00"
    assert escape_text("钥😀") == "钥😀"


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
DOCUMENTS = st.dictionaries(
    TEXT,
    st.recursive(
        _SCALARS,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
        max_leaves=12,
    ),
    max_size=6,
)


@given(DOCUMENTS)
def test_a_document_is_written_as_utf8_json_without_nul_that_reads_back_as_it_was(
    doc: dict[str, object],
) -> None:
    text = dump_document(doc)
    assert "\x00" not in text
    text.encode("utf-8")  # storable: no lone surrogate left raw
    assert load_document(text) == json.loads(json.dumps(doc))


def test_keys_are_sorted_and_every_control_character_escaped() -> None:
    text = dump_document({"b": "甲\x01", "a": [1, 2**70, "\x00"]})
    assert text == '{"a":[1,1180591620717411303424,"\\u0000"],"b":"甲\\u0001"}'
