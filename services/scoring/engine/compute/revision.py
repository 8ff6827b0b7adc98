"""The engine's revisions: what a correction of the computation itself changes, so that a
run keeps replaying to its own bytes after the engine is corrected.

A scheme pins what an office chose (weights, grades, rounding); a revision pins how the
engine carries a scheme out. A corrected rule applies from the revision that brings it: a
run records the revision it was computed under (`engine_revision` in its results, absent
for revision 1, so every run stored before revisions existed keeps its bytes and digest),
and replay and the offline verifier compute a stored run under the revision it records.
New runs and what-ifs are computed under `CURRENT`.

Revision 2 (2026-12-01):
- a component's interval is rounded outwards, as the composite's always was (half-up
  rounding could publish an interval that leaves out its own exact bound);
- a component's weighted part is its exact value times its weight, rounded once (it was the
  rounded value times the weight, rounded again: 0.01 off the exact composite);
- tied units are told apart from the nearest unit ranked above and below them, all alike
  (the flag went to whichever tied unit had the neighbour by unit id);
- a reweighted component's explanation shows the weight it really carried (0.40/0.45).

Revision 3 (2026-12-01):
- a vertically managed unit's score is w × the exact mean of its sub-units' scores +
  (1 − w) × its own, rounded once (it was the mean rounded, then rounded again: 0.01 off
  the stated formula), and its explanation shows that mean as total ÷ count.

Revision 4 (2026-12-01), the explanation's words only (every figure as under 3):
- a survey component whose questionnaires were all at excluded levels (不了解) says how
  many were received and at which levels, and that none is valid (it read 无数据);
- a unit without a score says why: its result was cancelled, the component the scheme
  requires has no data, or no counted component has data (it read 无综合得分 alone);
- units sharing a rank say so: 与另1个单位同分，并列第1名 (each read 排第1名).

Revision 5 (2026-12-03), the explanation's words only (every figure as under 4):
- a component without data that the scheme counts as 0 (`when_missing: zero`) says so and
  shows its weighted part: 按0分计入…×权重0.5=0.00分 (it read 不计入, under a score that
  counted it);
- a score held to the scheme's floor or ceiling says so, with the sum of the parts shown:
  合计100.00分，高于上限，按上限90分计 (nothing was said: the parts did not add up to it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FIRST = 1
CURRENT = 5
KNOWN = frozenset({1, 2, 3, 4, 5})
KEY = "engine_revision"
"""Where a results document records its revision (from revision 2 on)."""


class UnknownRevision(ValueError):
    """A run recorded under a revision this engine does not have (a newer Pingyi's)."""


def revision_of(results: Mapping[str, Any]) -> int:
    """The revision a stored results document was computed under."""
    found = results.get(KEY, FIRST)
    if type(found) is not int or found not in KNOWN:
        known = ", ".join(map(str, sorted(KNOWN)))
        # Chinese first, for the auditors who read replay's rows, the English after it whole.
        raise UnknownRevision(
            f"该计分运行按计分引擎第 {found!r} 版计算; 本引擎只有第 {known} 版, "
            f"它由更新的 Pingyi 计算 (the run was computed under engine revision {found!r}; "
            f"this engine knows revisions {known} (a newer Pingyi computed it))"
        )
    return found


def checked(revision: int) -> int:
    if revision not in KNOWN:
        raise UnknownRevision(
            f"本机没有计分引擎第 {revision} 版 (engine revision {revision} is unknown here)"
        )
    return revision
