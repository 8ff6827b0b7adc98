"""Re-check a random draw from the registry's stored event log alone (`pingyi verify-draw`).

Nothing here trusts a view, an API or the aggregate's derived state: the recorded facts are
read from the three stored events of the draw (Committed, PoolFrozen, PanelDrawn) and the
log around them, and each claim is re-derived:

- commitment: sha256(revealed seed) equals the commitment recorded first;
- order: commitment, then the pool's as-of position, then the freeze, then the reveal, by
  log position and by time (the seed could not have been chosen for a known pool);
- pool digest: digest(sorted pool ids) and the size equal what the freeze recorded;
- pool eligibility: replaying the log up to the recorded as-of position yields exactly the
  frozen pool, with each member's sector as registered;
- exclusions: the people excluded at the reveal are exactly the pool members disqualified
  between the freeze's as-of position and the reveal's;
- draw: re-running the documented algorithm (services.registry.domain.draws) on the pool
  minus the exclusions with the seed and quotas gives exactly the recorded chosen list;
- published copy: the facts repeated in the PanelDrawn event (which is what goes on NATS)
  equal the originals.

Every row's words are Chinese first, for the offices and auditors who read them, and the
English after them whole, as they always read (a script that matched the English still finds
it); whether a check passed is `Check.passed`, never the words.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from services.registry.application import RegistryApplication
from services.registry.application.draws import read_log
from services.registry.domain.draws import (
    Draw,
    InvalidDraw,
    PoolLedger,
    commitment_of,
    pool_digest,
    run_draw,
)
from services.registry.draw_verify_words import FAILED, NAMES, NOT_RERUN, PASSED, said
from services.registry.settings import RegistrySettings
from shared.settings import CommonSettings, eventsourcing_env

_DRAW_EVENTS = (Draw.Committed, Draw.PoolFrozen, Draw.PanelDrawn)


class DrawNotVerifiable(Exception):
    """The log cannot be opened, or holds no such draw."""


@dataclass(frozen=True)
class Check:
    name: str
    """The check's English name, as it always read: what code and tests pick it by."""
    passed: bool
    detail: str
    """What was found, Chinese first and the English after it whole."""


@dataclass(frozen=True)
class DrawVerification:
    draw_id: UUID
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def rows(self) -> list[tuple[str, str, str]]:
        """(check, result, detail), each Chinese first and the English after it whole:
        `抽取 (draw)`, `通过 (PASS)` or `未通过 (FAIL)`, `重新抽取结果不同: … (re-run
        differs: …)`."""
        return [
            (said(NAMES[c.name], c.name), PASSED if c.passed else FAILED, c.detail)
            for c in self.checks
        ]


@dataclass
class _Recorded:
    """The draw's stored events with their log positions, and the ledger of the whole log."""

    events: dict[str, tuple[int, Any]] = field(default_factory=dict)
    ledger: PoolLedger = field(default_factory=PoolLedger)


def verify_draw(common: CommonSettings, draw_id: UUID) -> DrawVerification:
    if common.mode == "memory":
        raise DrawNotVerifiable(
            said(
                "内存模式不保存登记服务的日志, 无从核对抽取",
                "memory mode keeps no registry log to verify a draw from",
            )
        )
    if common.mode == "embedded" and not (common.data_dir / "registry.sqlite").exists():
        where = common.data_dir
        raise DrawNotVerifiable(
            said(f"{where} 中没有登记服务的日志", f"no registry log in {where}")
        )
    application = RegistryApplication(
        eventsourcing_env(common, "registry", RegistrySettings().postgres_schema)
    )
    try:
        recorded = _read(application, draw_id)
    finally:
        application.close()
    if "Committed" not in recorded.events:
        raise DrawNotVerifiable(
            said(f"登记服务的日志中没有抽取 {draw_id}", f"the registry log holds no draw {draw_id}")
        )
    return DrawVerification(draw_id, tuple(_checks(recorded)))


def _read(application: Any, draw_id: UUID) -> _Recorded:
    recorded = _Recorded()
    for position, domain_event in read_log(application):
        recorded.ledger.observe(position, domain_event)
        if isinstance(domain_event, _DRAW_EVENTS) and domain_event.originator_id == draw_id:
            recorded.events[type(domain_event).__name__] = (position, domain_event)
    return recorded


def _checks(recorded: _Recorded) -> Iterator[Check]:
    committed_at, committed = recorded.events["Committed"]
    if "PoolFrozen" not in recorded.events or "PanelDrawn" not in recorded.events:
        unfinished = said(
            "抽取尚未完成: 没有冻结的名单或没有公布种子",
            "the draw is not finished: no frozen pool or no reveal",
        )
        yield Check("revealed", False, unfinished)
        return
    frozen_at, frozen = recorded.events["PoolFrozen"]
    drawn_at, drawn = recorded.events["PanelDrawn"]
    yield _commitment(committed, drawn)
    yield _order(committed_at, committed, frozen_at, frozen, drawn_at, drawn)
    yield _digest(frozen)
    yield _eligibility(recorded.ledger, committed, frozen)
    yield _exclusions(recorded.ledger, frozen, drawn)
    yield _redraw(committed, frozen, drawn)
    yield _published_copy(committed, frozen, drawn)


def _commitment(committed: Any, drawn: Any) -> Check:
    actual = commitment_of(drawn.seed)
    return Check(
        "commitment",
        actual == committed.commitment,
        said(
            f"sha256(种子) = {actual[:16]}…, 承诺值 {committed.commitment[:16]}…",
            f"sha256(seed) = {actual[:16]}…, committed {committed.commitment[:16]}…",
        ),
    )


def _order(
    committed_at: int, committed: Any, frozen_at: int, frozen: Any, drawn_at: int, drawn: Any
) -> Check:
    positions = [committed_at, frozen.as_of_position, frozen_at, drawn_at]
    by_position = committed_at <= frozen.as_of_position < frozen_at < drawn_at
    by_position = by_position and frozen.as_of_position <= drawn.excluded_as_of_position
    by_time = committed.timestamp <= frozen.timestamp <= drawn.timestamp
    return Check(
        "order",
        by_position and by_time,
        said(
            "承诺 @{}, 名单截至 @{}, 冻结 @{}, 公布种子 @{}".format(*positions),
            "committed @{}, pool as of @{}, frozen @{}, revealed @{}".format(*positions),
        ),
    )


def _digest(frozen: Any) -> Check:
    pool = list(frozen.pool)
    ok = (
        pool == sorted(set(pool))
        and pool_digest(pool) == frozen.pool_digest
        and len(pool) == frozen.pool_size
        and set(frozen.sectors) == set(pool)
    )
    shown = frozen.pool_digest[:23]
    return Check(
        "pool digest", ok, said(f"{len(pool)} 人, {shown}…", f"{len(pool)} people, {shown}…")
    )


def _eligibility(ledger: PoolLedger, committed: Any, frozen: Any) -> Check:
    expected = ledger.eligible(
        committed.jurisdiction_id,
        committed.cycle,
        committed.purpose,
        frozen.as_of_position,
        committed.pool_rule,
    )
    missing = sorted(set(expected) - set(frozen.pool))
    extra = sorted(set(frozen.pool) - set(expected))
    wrong_sector = sorted(
        p for p in expected if p in frozen.sectors and frozen.sectors[p] != expected[p]
    )
    ok = not (missing or extra or wrong_sector)
    rule, at = committed.pool_rule, frozen.as_of_position
    detail = (
        said(
            f"截至 @{at} 的日志得出同样的 {len(expected)} 人, 名单规则 {rule}",
            f"the log as of @{at} gives the same {len(expected)} people (pool rule {rule})",
        )
        if ok
        else said(
            f"{len(missing)} 人符合条件却未入名单, {len(extra)} 人不符合条件, "
            f"{len(wrong_sector)} 人界别不同, 名单规则 {rule}",
            f"{len(missing)} eligible but left out, {len(extra)} not eligible, "
            f"{len(wrong_sector)} with another sector (pool rule {rule})",
        )
    )
    return Check("pool eligibility", ok, detail)


def _exclusions(ledger: PoolLedger, frozen: Any, drawn: Any) -> Check:
    expected = ledger.disqualified_between(
        frozen.pool, frozen.as_of_position, drawn.excluded_as_of_position
    )
    ok = expected == sorted(drawn.excluded)
    excluded = len(drawn.excluded)
    return Check(
        "exclusions",
        ok,
        said(
            f"冻结后取消资格 {excluded} 人" + ("" if ok else f", 日志显示 {len(expected)} 人"),
            f"{excluded} disqualified after the freeze"
            + ("" if ok else f", the log shows {len(expected)}"),
        ),
    )


def _redraw(committed: Any, frozen: Any, drawn: Any) -> Check:
    remaining = {p: s for p, s in frozen.sectors.items() if p not in set(drawn.excluded)}
    try:
        again = run_draw(drawn.seed, remaining, committed.size, committed.quotas)
    except InvalidDraw as error:
        # The reason is the domain's, Chinese first already.
        return Check("draw", False, f"{NOT_RERUN} {error.reason}")
    same = again == list(drawn.chosen)
    differing = sum(1 for a, b in zip(again, drawn.chosen, strict=False) if a != b)
    chosen = len(drawn.chosen)
    return Check(
        "draw",
        same,
        said(
            f"重新抽取按同样的顺序选出同样的 {len(again)} 人",
            f"re-run chose the same {len(again)} people in the same order",
        )
        if same
        else said(
            f"重新抽取结果不同: {differing} 个位置不同, 选出 {len(again)} 人, 记录为 {chosen} 人",
            f"re-run differs: {differing} positions, {len(again)} vs {chosen} chosen",
        ),
    )


def _published_copy(committed: Any, frozen: Any, drawn: Any) -> Check:
    originals = {
        "jurisdiction_id": committed.jurisdiction_id,
        "campaign_id": committed.campaign_id,
        "cycle": committed.cycle,
        "purpose": committed.purpose,
        "size": committed.size,
        "quotas": committed.quotas,
        "commitment": committed.commitment,
        "pool_digest": frozen.pool_digest,
        "pool_size": frozen.pool_size,
    }
    differing = sorted(k for k, v in originals.items() if getattr(drawn, k) != v)
    return Check(
        "published copy",
        not differing,
        said(
            "PanelDrawn 重述了承诺和冻结时记录的事实",
            "PanelDrawn repeats the committed and frozen facts",
        )
        if not differing
        else said(
            f"PanelDrawn 与原记录不同: {'、'.join(differing)}",
            f"PanelDrawn differs in {', '.join(differing)}",
        ),
    )
