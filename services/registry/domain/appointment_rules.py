"""Rules that span a body's whole roster rather than one person, so they are reports the
read side computes, not invariants the Person aggregate could enforce."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.registry.domain.person_values import AppointingBody, Appointment, Cycle


@dataclass(frozen=True)
class RosterEntry:
    """One appointment of a body's roster as the one-third report sees it."""

    person_id: str
    cycle: str
    disqualified: bool


def one_third_report(cycle: str, roster: Iterable[RosterEntry]) -> dict[str, object]:
    """At least one third of a body's representatives in a cycle must be newly appointed:
    not appointed by the same body in a previous cycle (one that ended the year before).

    Disqualified people no longer count as representatives. A report, not a block: the
    office adjusts its roster (seed 000 asks for it by a date), the software shows the gap.
    """
    current = Cycle.parse(cycle)
    entries = list(roster)
    previous = {e.person_id for e in entries if current.follows(Cycle.parse(e.cycle))}
    serving = sorted(
        {e.person_id for e in entries if e.cycle == str(current) and not e.disqualified}
    )
    new = [p for p in serving if p not in previous]
    required = math.ceil(len(serving) / 3)
    return {
        "cycle": str(current),
        "previous_cycles": sorted(
            {e.cycle for e in entries if current.follows(Cycle.parse(e.cycle))}
        ),
        "representatives": len(serving),
        "newly_appointed": len(new),
        "reappointed": len(serving) - len(new),
        "required_new": required,
        "passes": len(new) >= required,
        "new_person_ids": new,
    }


def overlap_summary(
    body: AppointingBody, cycle: str, people: Mapping[str, list[Appointment]]
) -> dict[str, object]:
    """Of `body`'s people in `cycle`, who is also appointed by a body of the other kind.

    Allowed only with a special (school/hospital) appointment on either side; the command
    refuses the rest, so violations here mean data that predates or bypassed that rule.
    """
    exempt: list[str] = []
    violations: list[str] = []
    for person_id, appointments in sorted(people.items()):
        mine = [a for a in appointments if a.body == body and a.cycle == cycle]
        others = [a for a in appointments if a.body.kind != body.kind and a.cycle == cycle]
        if not mine or not others:
            continue
        allowed = all(a.special or o.special for a in mine for o in others)
        (exempt if allowed else violations).append(person_id)
    return {"shared_with_special_exemption": exempt, "violations": violations}
