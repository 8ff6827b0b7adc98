"""The compiled float check (`shared/_canonical.c`) against `canonical._holds_float`, the
walk it replaces before every digest: the same answer for values of every kind the
canonical form meets (nested containers, floats anywhere, NaN and infinities, enums of
floats and of texts, sets, subclasses of dict, list, tuple, float and str, numpy's scalars)
and the same refusal of a value nested past the recursion limit."""

from __future__ import annotations

import shutil
import sysconfig
from enum import Enum, IntEnum
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared import canonical

pytestmark = pytest.mark.skipif(not canonical.NATIVE, reason="not built (no C compiler)")


def test_the_extension_is_built_where_a_compiler_is() -> None:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler})")
    assert canonical.NATIVE, "pip install -e . did not build shared/_canonical.c"


class Level(Enum):
    HALF = 0.5
    WORD = "满意"
    NESTED = (1, 2.5)


class Rank(IntEnum):
    FIRST = 1


class Mapping(dict[str, Any]):
    pass


class Items(list[Any]):
    pass


class Pair(tuple[Any, ...]):
    pass


class Real(float):
    pass


class Text(str):
    pass


LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=3)
    | st.floats()  # NaN and the infinities too
    | st.sampled_from([*Level, Rank.FIRST, Real(1.5), Text("x"), np.float64(2.0), np.int64(3)])
    | st.sampled_from([np.float32(1.0), object(), b"x"])
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=3).map(tuple)
        | st.lists(inner, max_size=3).map(Items)
        | st.lists(inner, max_size=3).map(Pair)
        | st.dictionaries(st.text(max_size=3), inner, max_size=4)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3).map(Mapping)
        | st.frozensets(
            st.floats(allow_nan=False) | st.integers() | st.text(max_size=2), max_size=3
        )
        | st.sets(st.integers() | st.text(max_size=2), max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=1000, deadline=None)
@given(VALUES)
def test_the_compiled_check_answers_as_the_python_walk(value: object) -> None:
    assert canonical._holds_float_fast(value) is canonical._holds_float(value)


def test_a_value_nested_past_the_recursion_limit_is_refused_alike() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        canonical._holds_float(deep)
    with pytest.raises(RecursionError):
        canonical._holds_float_fast(deep)
