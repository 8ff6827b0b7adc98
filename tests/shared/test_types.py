"""The kernel's request text rule (`shared.types`): what `Line` and `Prose` refuse, and why,
beside the fuzz suite that puts each refused character in every string of every request."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from pydantic import TypeAdapter, ValidationError

from shared.types import Line, Prose, format_characters, text_problem

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("control", BIDI)
@pytest.mark.parametrize("kind", ["line", "prose"])
def test_bidirectional_controls_are_refused_by_position(control: str, kind: str) -> None:
    """A right-to-left override makes "H-\u202e9" or a unit name read as another in a list
    or an export: refused in every request string, saying where."""
    problem = text_problem(f"问卷-{control}9", kind)  # type: ignore[arg-type]
    assert problem is not None
    assert f"U+{ord(control):04X} at position 3" in problem
    assert "bidirectional" in problem


@pytest.mark.parametrize("text", ["区公安局", "问卷 A-0001", "第一行\n第二行", "𠀀𪚥"])
def test_chinese_and_plain_text_pass(text: str) -> None:
    assert text_problem(text, "prose") is None
    if "\n" not in text:
        assert text_problem(text, "line") is None


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u00ad", "\u2060"]
INVISIBLE += ["\u180e", "\u061c", "\U000e0001", "\U000e0041"]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_a_name_with_an_invisible_character_is_refused(mark: str) -> None:
    """ "临颍县\u200b民政局" reads as 临颍县民政局 in every list and export, yet no duplicate
    check can see it: a one-line label refuses every invisible format character."""
    problem = text_problem(f"临颍县{mark}民政局", "line")
    assert problem is not None
    assert f"U+{ord(mark):04X} at position 3" in problem
    assert "invisible" in problem or "bidirectional" in problem


@pytest.mark.parametrize("mark", ["\u200b", "\ufeff", "\u00ad", "\u2060", "\U000e0001"])
def test_prose_refuses_them_too(mark: str) -> None:
    assert text_problem(f"意见{mark}建议", "prose") is not None


@pytest.mark.parametrize(
    "text",
    [
        "服务很好👨\u200d👩\u200d👧",  # an emoji family: joined by zero-width joiners
        "ياخشى\u200f مۇلازىمەت",  # Uyghur with a right-to-left mark
        "x\u200cy\u200ez\u061c",
    ],
)
def test_prose_keeps_joiners_and_direction_marks(text: str) -> None:
    assert text_problem(text, "prose") is None
    assert text_problem(text, "line") is not None


@pytest.mark.parametrize("annotation", [Line, Prose])
def test_the_types_refuse_them_and_their_schema_says_so(annotation: object) -> None:
    adapter = TypeAdapter(annotation)
    with pytest.raises(ValidationError, match="U\\+202E"):
        adapter.validate_python("H-\u202e9")
    pattern = adapter.json_schema()["pattern"]
    assert "\\u202a-\\u202e" in pattern and "\\u2066-\\u20" in pattern
    assert "\\u200b" in pattern and "\\ufeff" in pattern


def test_the_format_character_table_is_this_pythons_unicode() -> None:
    """The table saves every process a pass over all code points; it must say what that
    pass would (a Python with other Unicode data reads `unicodedata` instead)."""
    everything = range(sys.maxunicode + 1)
    read = frozenset(chr(c) for c in everything if unicodedata.category(chr(c)) == "Cf")
    assert format_characters() == read
    assert format_characters("0.0.0") == read
