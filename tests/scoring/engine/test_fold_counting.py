"""The survey fold's compiled loops (`fold/_counting.c`) against their numpy and Python
fallback (`fold/counting.py`): every check of a part's columns answers the same with and
without them, for values near and far from what they accept; counting gives the same grids
and refuses the same rows; and a whole fold of generated parts gives the same round inputs
either way. The extension must have been built wherever a C compiler is (CI's machine has
one), so that these tests compare two things and not one with itself."""

from __future__ import annotations

import contextlib
import shutil
import sysconfig
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.scoring.engine.fold import columns, counting
from services.scoring.engine.fold.tally import Tally
from shared.canonical import canonical_json
from shared.contracts.survey import Channel
from shared.contracts.survey_batch import ROW_ALPHABET

from .test_fold_batch import ANSWER, rendered, survey_log
from .test_fold_keep import folded, with_registry
from .test_fold_split import split_fold

FIXTURE = [HealthCheck.function_scoped_fixture]
"""`both` swaps the compiled module in and out within each example, so it is shared safely."""
SLOW_WITH_FIXTURE = [*FIXTURE, HealthCheck.too_slow]

pytestmark = pytest.mark.skipif(
    not counting.COMPILED, reason="the compiled loops were not built (no C compiler)"
)


def test_the_extension_is_built_where_a_compiler_is() -> None:
    """setup.py builds it as optional: a failed build must not go unnoticed here."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler})")
    assert counting.COMPILED, "pip install -e . did not build fold/_counting.c"


@pytest.fixture
def both(monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[Any, Any]]:
    """f(*args) compiled, then f(*args) by the fallback alone."""
    compiled = counting._fast

    def run(function: Callable[..., Any], *args: Any) -> tuple[Any, Any]:
        monkeypatch.setattr(counting, "_fast", compiled)
        fast = function(*args)
        monkeypatch.setattr(counting, "_fast", None)
        slow = function(*args)
        monkeypatch.setattr(counting, "_fast", compiled)
        return fast, slow

    return run


# --- the checks --------------------------------------------------------------------------

ODD_VALUES = st.sampled_from([None, 1, 1.5, True, [], {}, b"x", ("a",)])


def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda n: f"{n:02d}")


@st.composite
def datetime_like(draw: st.DrawFn) -> Any:
    """Texts of a datetime's shape, each part from a little outside its range to inside,
    some mangled by one character; now and then something that is no text at all."""
    if draw(st.integers(0, 30)) == 0:
        return draw(ODD_VALUES)
    year = draw(st.sampled_from(["0000", "0001", "1999", "2000", "2024", "2100", "9999"]))
    text = (
        f"{year}-{draw(_two(0, 13))}-{draw(_two(0, 32))}T"
        f"{draw(_two(0, 25))}:{draw(_two(0, 61))}:{draw(_two(0, 61))}"
    )
    places = draw(st.integers(0, 8))
    if places:
        text += "." + "".join(
            draw(st.lists(st.sampled_from("0123456789"), min_size=places, max_size=places))
        )
    text += draw(
        st.sampled_from(["Z", "", "z"])
        | st.tuples(st.sampled_from("+-"), _two(0, 25), _two(0, 61)).map(
            lambda t: f"{t[0]}{t[1]}:{t[2]}"
        )
    )
    if draw(st.integers(0, 6)) == 0:
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(st.sampled_from("0９T:-+. Z\x00é")) + text[at + 1 :]
    return text


@settings(max_examples=600, deadline=None, suppress_health_check=FIXTURE)
@given(values=st.lists(datetime_like(), min_size=1, max_size=4))
def test_datetimes_answer_alike(both: Callable[..., tuple[Any, Any]], values: list[Any]) -> None:
    fast, slow = both(columns._datetimes, values)
    assert fast == slow


def test_datetimes_at_the_edges(both: Callable[..., tuple[Any, Any]]) -> None:
    """Named cases, each answered by the compiled check itself (not passed to the fallback)
    where it accepts."""
    accepted = [
        "2024-02-29T23:59:59+08:00",
        "2000-02-29T00:00:00Z",
        "0001-01-01T00:00:00.1-23:59",
        "9999-12-31T23:59:59.999999+00:00",
    ]
    refused = [
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "0000-01-01T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:60Z",
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:00.1234567Z",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00+8:00",
    ]
    for value in accepted:
        assert counting.datetimes([value]), value
        assert both(columns._datetimes, [value]) == (True, True)
    for value in refused:
        assert not counting.datetimes([value]), value
        assert both(columns._datetimes, [value]) == (False, False)


LEVEL_CHARS = st.sampled_from([*ROW_ALPHABET[:8], "\n", "é", "中", "\x00", " "])


@settings(max_examples=400, deadline=None, suppress_health_check=FIXTURE)
@given(
    rows=st.lists(
        st.text(LEVEL_CHARS, min_size=0, max_size=5) | ODD_VALUES, min_size=1, max_size=6
    ),
    levels=st.integers(1, 6),
)
def test_row_codes_answer_alike(
    both: Callable[..., tuple[Any, Any]], rows: list[Any], levels: int
) -> None:
    fast, slow = both(columns._codes, rows, levels)
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert fast.shape == slow.shape
        assert fast.tolist() == slow.tolist()


def test_row_codes_of_a_real_part_are_compiled() -> None:
    rows = ["".join(ROW_ALPHABET[(i + u) % 5] for u in range(80)) for i in range(500)]
    found = counting.row_codes(list(rows), columns._code_table(4))
    assert found is not None
    assert np.frombuffer(found, dtype=np.uint8).reshape(500, 80)[3, :5].tolist() == [3, 4, 0, 1, 2]


class Text(str):
    """A str that is not exactly a str: the compiled checks pass it to the fallback."""


NAMES = (
    st.sampled_from(["", "甲", "乙", "a", "市直"]) | st.none() | ODD_VALUES | st.just(Text("甲"))
)


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE)
@given(values=st.lists(NAMES, min_size=1, max_size=6))
def test_texts_or_none_answer_alike(
    both: Callable[..., tuple[Any, Any]], values: list[Any]
) -> None:
    assert len(set(both(columns._texts_or_none, values))) == 1


CHANNEL_VALUES = st.sampled_from([c.value for c in Channel]) | NAMES | st.just("paper ")


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURE)
@given(values=st.lists(CHANNEL_VALUES, min_size=1, max_size=6))
def test_channels_answer_alike(both: Callable[..., tuple[Any, Any]], values: list[Any]) -> None:
    assert len(set(both(columns._channels, values))) == 1


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURE)
@given(names=st.lists(NAMES, max_size=8), known=st.lists(NAMES, max_size=4))
def test_indices_answer_alike(
    both: Callable[..., tuple[Any, Any]], names: list[Any], known: list[Any]
) -> None:
    index: dict[Any, int] = {}
    for name in known:
        with contextlib.suppress(TypeError):  # unhashable: never a key
            index.setdefault(name, len(index))
    fast, slow = both(counting.indices, names, index)
    assert (fast is None) == (slow is None)
    if fast is not None:
        assert fast.tolist() == slow.tolist()


# --- counting ----------------------------------------------------------------------------


@st.composite
def counts(draw: st.DrawFn) -> dict[str, Any]:
    units, width = draw(st.integers(1, 5)), draw(st.integers(1, 6))
    groups, points = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    rows = draw(st.integers(0, 12))
    byte = st.integers(0, width - 1)
    return {
        "codes": np.array(
            draw(
                st.lists(
                    st.lists(byte, min_size=units, max_size=units), min_size=rows, max_size=rows
                )
            ),
            dtype=np.uint8,
        ).reshape(rows, units),
        "group_of": np.array(
            draw(st.lists(st.integers(0, groups - 1), min_size=rows, max_size=rows)), dtype=np.intp
        ),
        "point_of": np.array(
            draw(st.lists(st.integers(0, points - 1), min_size=rows, max_size=rows)), dtype=np.intp
        ),
        "skip": draw(st.sampled_from([b"", None]))
        or bytes(draw(st.lists(st.integers(0, 1), min_size=rows, max_size=rows))),
        "shape": (groups, points, units, width),
        "sign": draw(st.sampled_from([1, -1])),
    }


@st.composite
def large_counts(draw: st.DrawFn) -> dict[str, Any]:
    """Parts as large as survey's and larger: the compiled count takes these level by
    level (32 and 16 units an instruction, runs of 255 rows) where it can, and cell by cell
    past 8 levels or 32 names; units on either side of every vector width."""
    units = draw(st.sampled_from([1, 15, 16, 17, 31, 32, 33, 47, 48, 80, 95, 130]))
    width = draw(st.integers(1, 10))
    groups, points = draw(st.sampled_from([1, 3, 32, 40])), draw(st.sampled_from([1, 20, 33]))
    rows = draw(st.sampled_from([63, 64, 254, 255, 256, 511, 700]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return {
        "codes": rng.integers(0, width, size=(rows, units), dtype=np.uint8),
        "group_of": rng.integers(0, groups, size=rows).astype(np.intp),
        "point_of": rng.integers(0, points, size=rows).astype(np.intp),
        "skip": b"" if draw(st.booleans()) else rng.integers(0, 2, rows, dtype=np.uint8).tobytes(),
        "shape": (groups, points, units, width),
        "sign": draw(st.sampled_from([1, -1])),
    }


def _grids(groups: int, points: int, units: int, width: int, seed: int) -> Iterator[np.ndarray]:
    rng = np.random.default_rng(seed)
    yield rng.integers(0, 9, size=(groups, units, width)).astype(np.int64)
    yield rng.integers(0, 9, size=(points, units, width)).astype(np.int64)
    yield rng.integers(0, 9, size=groups).astype(np.int64)
    yield rng.integers(0, 9, size=points).astype(np.int64)


def _count(case: dict[str, Any], seed: int) -> list[list[Any]] | str:
    group_grid, point_grid, group_rows, point_rows = _grids(*case["shape"], seed)
    try:
        counting.count(
            case["codes"],
            case["group_of"],
            case["point_of"],
            (group_grid, group_rows),
            (point_grid, point_rows),
            case["sign"],
            case["skip"],
        )
    except ValueError:
        return "refused"
    return [grid.tolist() for grid in (group_grid, point_grid, group_rows, point_rows)]


@settings(max_examples=450, deadline=None, suppress_health_check=FIXTURE)
@given(case=counts() | large_counts(), seed=st.integers(0, 9))
def test_counting_gives_the_same_grids(
    both: Callable[..., tuple[Any, Any]], case: dict[str, Any], seed: int
) -> None:
    fast, slow = both(_count, case, seed)
    assert fast == slow
    assert fast != "refused"


def test_counting_more_rows_than_sixteen_bit_counters_hold(
    both: Callable[..., tuple[Any, Any]],
) -> None:
    """Counters are added to the grids before they could wrap: 70,000 rows of one name."""
    rng = np.random.default_rng(7)
    rows = 70_000
    case = {
        "codes": np.ones((rows, 33), dtype=np.uint8),
        "group_of": np.zeros(rows, dtype=np.intp),
        "point_of": rng.integers(0, 2, size=rows).astype(np.intp),
        "skip": b"",
        "shape": (1, 2, 33, 3),
        "sign": 1,
    }
    fast, slow = both(_count, case, 0)
    assert fast == slow != "refused"
    before = next(_grids(1, 2, 33, 3, 0))[0, 0, 1]
    assert isinstance(fast, list) and fast[0][0][0][1] == before + rows


@pytest.mark.parametrize(
    "break_it",
    [
        lambda c: c.update(codes=c["codes"] + np.uint8(9)),
        lambda c: c.update(group_of=c["group_of"] + 5),
        lambda c: c.update(point_of=c["point_of"] - 9),
        lambda c: c.update(skip=b"\x00"),
        lambda c: c.update(point_of=c["point_of"][:1]),
    ],
    ids=["byte beyond the grid", "group beyond", "point below", "skips", "points"],
)
def test_counting_refuses_rows_outside_the_grids_and_changes_nothing(
    both: Callable[..., tuple[Any, Any]], break_it: Callable[[dict[str, Any]], None]
) -> None:
    case = {
        "codes": np.array([[1, 2], [0, 3]], dtype=np.uint8),
        "group_of": np.array([0, 1], dtype=np.intp),
        "point_of": np.array([1, 0], dtype=np.intp),
        "skip": b"",
        "shape": (2, 2, 2, 4),
        "sign": 1,
    }
    assert both(_count, case, 1)[0] == both(_count, case, 1)[1] != "refused"
    break_it(case)
    assert both(_count, case, 1) == ("refused", "refused")


def test_a_tally_counts_alike(both: Callable[..., tuple[Any, Any]]) -> None:
    """Parts with rows left out, buffered singles added and removed, a level learned late."""

    def tally() -> list[Any]:
        rng = np.random.default_rng(3)
        counted = Tally(6, 4)
        for part in range(20):
            codes = rng.integers(0, 5, size=(40, 6)).astype(np.uint8)
            groups = [["甲", None, "", "乙"][i % 4] for i in rng.integers(0, 4, size=40)]
            points = [f"点{i}" for i in rng.integers(0, 7, size=40)]
            counted.add_rows(codes, groups, points, leave_out={part, 2 * part + 1})
            counted.add(bytes(rng.integers(0, 5, size=6).tolist()), "甲", "点1")
            counted.remove(codes[0].tobytes(), "乙", "点2")
            if part == 10:
                counted.add_level()
        counted.flush()
        return [
            counted.counts.tolist(),
            {k: v.tolist() for k, v in counted.by_group.items()},
            {k: v.tolist() for k, v in counted.by_point.items()},
            dict(counted.group_counted),
            dict(counted.point_counted),
        ]

    fast, slow = both(tally)
    assert fast == slow
    assert set(fast[1]) == {"甲", "", "乙"}  # None and "" are one group


@settings(max_examples=100, deadline=None, suppress_health_check=SLOW_WITH_FIXTURE)
@given(
    entries=survey_log(ANSWER),
    cuts=st.lists(st.integers(0, 60), max_size=3),
    form=st.sampled_from(["v2", "mixed"]),
)
def test_a_fold_of_generated_logs_gives_the_same_inputs(
    both: Callable[..., tuple[Any, Any]],
    entries: list[tuple[str, object]],
    cuts: list[int],
    form: str,
) -> None:
    """Generated survey logs (parts, singles, every decision, answers outside the scale),
    folded whole and in ranges joined."""
    messages = with_registry(rendered(entries, form))

    def fold() -> tuple[bytes, bytes | None]:
        whole = folded(messages, None, frozenset()).inputs()
        joined, _ = split_fold(messages, cuts)
        return canonical_json(whole), None if joined is None else canonical_json(joined.inputs())

    fast, slow = both(fold)
    assert fast == slow


def test_a_module_built_from_another_source_is_not_used(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An editable install not re-run after `_counting.c` changed leaves the old module in
    place: it is refused, with a warning, rather than called with arguments it reads
    otherwise."""
    from services.scoring.engine.fold import _counting

    assert counting._compiled() is _counting
    monkeypatch.setattr(_counting, "INTERFACE", counting.INTERFACE - 1)
    assert counting._compiled() is None
    assert "another version of its source" in caplog.text
    monkeypatch.setenv("PINGYI_PURE_PYTHON", "1")
    monkeypatch.setattr(_counting, "INTERFACE", counting.INTERFACE)
    assert counting._compiled() is None
