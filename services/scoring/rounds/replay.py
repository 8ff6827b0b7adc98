"""Auditors' replay of campaign-round runs: each stored run recomputed by the engine from the
upstreams' published logs, read up to the positions the run names, without any upstream
service's code (`shared.persistence.message_log`).

A run names the position it read to in each upstream; replay folds exactly those prefixes
(and, for multi-cycle rules, scoring's own published results up to its recorded scoring
position) and compares the canonical bytes of the results.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.utils import get_topic

from services.scoring.engine import score_round
from services.scoring.engine.scheme import Scheme, SchemeError, builtin_schemes
from services.scoring.rounds.domain import RoundRun, SchemeRecord
from shared.canonical import digest
from shared.contracts import IntegrationMessage
from shared.persistence.log_pages import notifications
from shared.persistence.message_log import MessageLogError, read_messages
from shared.settings import CommonSettings

ROUND_TOPIC = get_topic(RoundRun.Computed)
SCHEME_TOPIC = get_topic(SchemeRecord.Registered)


@dataclass(frozen=True)
class RoundVerdict:
    run_id: str
    campaign_id: str
    round: int
    final: bool
    problems: tuple[str, ...] = ()
    units: tuple[str, ...] = field(default=())
    """Units whose result differs."""
    unit_count: int = 0

    @property
    def identical(self) -> bool:
        return not self.problems and not self.units

    def rows(self) -> list[tuple[str, str, str, str]]:
        run = f"{self.run_id} (round)"
        what = f"{self.campaign_id} round {self.round}" + (" final" if self.final else "")
        if self.identical:
            return [(run, what, f"{self.unit_count} units", "identical")]
        rows = [(run, what, "-", problem) for problem in self.problems]
        rows += [(run, what, unit, "different") for unit in self.units]
        return rows


def verify_rounds(common: CommonSettings, app: Any) -> list[RoundVerdict]:
    """Every round run stored in scoring's log (`app`: the scoring application opened on
    that store), in the order stored."""
    schemes = _schemes(app)
    return [_verify(common, computed, schemes) for computed in _stored(app, ROUND_TOPIC)]


def _stored(app: Any, topic: str) -> Iterator[Any]:
    for notification in notifications(app.recorder, topics=[topic]):
        yield app.mapper.to_domain_event(notification)


def _schemes(app: Any) -> dict[tuple[str, int], Scheme | str]:
    """Shipped schemes and the ones registered in scoring's log (a registered document that
    no longer validates is kept as the reason it cannot be used)."""
    known: dict[tuple[str, int], Scheme | str] = dict(builtin_schemes())
    for registered in _stored(app, SCHEME_TOPIC):
        key = (registered.scheme_id, registered.version)
        try:
            known[key] = Scheme.from_document(registered.document)
        except SchemeError as error:
            known[key] = f"registered scheme does not validate: {error}"
    return known


def _messages(common: CommonSettings, positions: dict[str, int]) -> Iterator[IntegrationMessage]:
    for origin, stop in sorted(positions.items()):
        for encoded in read_messages(common, origin, stop=stop):
            yield encoded.message


def _verify(
    common: CommonSettings, computed: Any, schemes: dict[tuple[str, int], Scheme | str]
) -> RoundVerdict:
    ref = computed.scheme
    base = {
        "run_id": str(computed.originator_id),
        "campaign_id": str(computed.campaign_id),
        "round": computed.round_number,
        "final": computed.final,
    }
    scheme = schemes.get((ref["scheme_id"], ref["version"]))
    if not isinstance(scheme, Scheme):
        reason = scheme or f"scheme {ref['scheme_id']} v{ref['version']} is unknown here"
        return RoundVerdict(**base, problems=(reason,))
    if scheme.scheme_hash != ref["scheme_hash"]:
        return RoundVerdict(
            **base,
            problems=(
                f"the run used {ref['scheme_id']} v{ref['version']} with hash "
                f"{ref['scheme_hash']}; that scheme here hashes to {scheme.scheme_hash}",
            ),
        )
    positions = dict(computed.upstream_positions)
    try:
        replayed = score_round(
            scheme,
            _messages(common, positions),
            campaign_id=str(computed.campaign_id),
            round=computed.round_number,
        )
    except MessageLogError as error:
        return RoundVerdict(**base, problems=(f"cannot read the logs: {error}",))
    return _compare(base, computed.results, replayed, positions)


def _compare(
    base: dict[str, Any],
    stored: dict[str, Any],
    replayed: dict[str, Any],
    positions: dict[str, int],
) -> RoundVerdict:
    problems: list[str] = []
    if replayed.pop("upstream_positions") != positions:
        problems.append("the logs end before the positions the run names")
    if replayed.get("inputs_digest") != stored.get("inputs_digest"):
        problems.append("inputs differ: the logs up to the run's positions are not what it read")
    stored_units = {u["unit_id"]: u for u in stored.get("units", [])}
    replayed_units = {u["unit_id"]: u for u in replayed.get("units", [])}
    differing = sorted(
        unit_id
        for unit_id in stored_units.keys() | replayed_units.keys()
        if digest(stored_units.get(unit_id)) != digest(replayed_units.get(unit_id))
    )
    if not differing and digest(stored) != digest(replayed):
        problems.append("the results differ outside the units (lists, digests)")
    return RoundVerdict(
        **base, problems=tuple(problems), units=tuple(differing), unit_count=len(stored_units)
    )
