"""随机抽取: verifiable random draws of evaluators from the pool (seed 004: 200 of 2,000).

Commit, freeze, reveal — three events of one `Draw`, in this order and no other:

1. Committed: the office records sha256(seed) (the COMMITMENT, 64 hex digits) together with
   the size, the optional sector quotas, the cycle and purpose. The seed stays with the office.
2. PoolFrozen: the pool is fixed from the registry's own event log as it stood at a recorded
   log position (`as_of_position`): every person registered in the draw's jurisdiction or
   below, appointed for the draw's cycle and purpose, and not disqualified; under the draw's
   `pool_rule` 2 (every draw committed since it exists; 1 before), people registered more
   than once with one contact (a representative registered by two counties, each of which
   sees only its own contacts) are in the pool once, by their earliest registration, so a
   city's draw cannot seat one person twice. The sorted ids,
   each one's sector, the pool size and the pool digest (shared.canonical.digest over the
   sorted list of id strings) are recorded.
3. PanelDrawn: the office reveals the seed; sha256(seed) must equal the commitment. Pool
   members disqualified since the freeze are excluded (recorded, with the log position the
   exclusion was computed at), and the draw runs:

   - key(person) = sha256(UTF-8 bytes of seed + ":" + person id), as 64 lowercase hex digits,
     where the person id is the canonical lowercase hyphenated UUID string;
   - without quotas: the `size` people with the smallest keys, smallest first;
   - with quotas {sector: count} (counts summing to `size`): for each sector in the fixed
     order of SECTOR_LABELS, the `count` people of that sector with the smallest keys,
     smallest first, and the strata concatenated in that order.

   Keys are distinct because person ids are; ties are broken by the id anyway, so the order
   is total by construction. Anyone holding the recorded facts can re-run it
   (`pingyi verify-draw`). The seed is fixed before the pool and revealed after it, so the
   office cannot pick a seed for a known pool. It does know its own seed while the pool is
   still open, though, so a dishonest office could shape the pool (appointing or
   disqualifying people) before freezing it; the commit–reveal proves the draw was run as
   recorded, not that the pool was left alone. Pool changes are themselves events with actor
   and reason, so an auditor can see who changed it between commitment and freeze; mixing in
   entropy the office does not hold (a second party's seed) would close the gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registry.domain.draw_pool import (
    POOL_RULE,
    InvalidDraw,
    PoolLedger,
    checked_quotas,
    commitment_of,
    draw_key,
    pool_digest,
    run_draw,
)
from services.registry.domain.errors import RegistryError
from services.registry.domain.person_values import PURPOSE_LABELS, Cycle, purpose_refusal
from shared.errors import ConflictError, NotFoundError

# Re-exported: the registry, `pingyi verify-draw` and the tests take these from here.
__all__ = [
    "COMMITTED",
    "DRAWN",
    "FROZEN",
    "MIN_SEED_LENGTH",
    "Draw",
    "DrawConflict",
    "DrawNotFound",
    "InvalidDraw",
    "PoolLedger",
    "checked_quotas",
    "commitment_of",
    "draw_key",
    "pool_digest",
    "run_draw",
]

COMMITTED = "committed"
FROZEN = "frozen"
DRAWN = "drawn"
MIN_SEED_LENGTH = 16
ALREADY_FROZEN = "该抽取的名单已冻结 (the pool of this draw is already frozen)"
FREEZE_FIRST = "请先冻结名单, 再公布种子 (freeze the pool before revealing the seed)"
ALREADY_REVEALED = "该抽取的种子已公布 (the seed of this draw is already revealed)"
SEED_MISMATCH = "种子的 sha256 与事先公布的承诺值不符 (sha256(seed) does not match the commitment)"
_COMMITMENT = re.compile(r"^[0-9a-f]{64}$")


class DrawNotFound(RegistryError, NotFoundError):
    code = "draw_not_found"


class DrawConflict(RegistryError, ConflictError):
    """The step is out of order (freezing twice, revealing before the freeze...)."""

    code = "draw_conflict"


class Draw(Aggregate):
    class Committed(Aggregate.Created):
        class_version = 2
        jurisdiction_id: UUID
        campaign_id: UUID | None
        cycle: str
        purpose: str
        size: int
        quotas: dict[str, int]
        commitment: str
        actor: str
        pool_rule: int

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            # Draws committed before the rule existed keep the pool they were frozen with.
            state["pool_rule"] = 1

    class PoolFrozen(Aggregate.Event):
        pool: list[str]
        sectors: dict[str, str]
        pool_digest: str
        pool_size: int
        as_of_position: int
        actor: str

    class PanelDrawn(Aggregate.Event):
        """Carries copies of the committed and frozen facts so the published contract is
        complete on its own; `pingyi verify-draw` checks the copies against the originals."""

        jurisdiction_id: UUID
        campaign_id: UUID | None
        cycle: str
        purpose: str
        size: int
        quotas: dict[str, int]
        commitment: str
        pool_digest: str
        pool_size: int
        seed: str
        excluded: list[str]
        excluded_as_of_position: int
        chosen: list[str]
        actor: str

    @classmethod
    def commit(
        cls,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        cycle: str,
        purpose: str,
        size: int,
        quotas: Mapping[str, int] | None,
        commitment: str,
        actor: str,
    ) -> Draw:
        cleaned = commitment.strip().lower()
        if not _COMMITMENT.match(cleaned):
            raise InvalidDraw(
                "承诺值须为种子的 sha256, 即 64 位十六进制数字 "
                "(the commitment is the sha256 of the seed, 64 hexadecimal digits)",
                field="commitment",
            )
        if purpose not in PURPOSE_LABELS:
            raise InvalidDraw(purpose_refusal(), field="purpose")
        return cls(
            jurisdiction_id=jurisdiction_id,
            campaign_id=campaign_id,
            cycle=str(Cycle.parse(cycle)),
            purpose=purpose,
            size=size,
            quotas=checked_quotas(quotas, size),
            commitment=cleaned,
            actor=actor,
            pool_rule=POOL_RULE,
        )

    @event(Committed)
    def __init__(
        self,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        cycle: str,
        purpose: str,
        size: int,
        quotas: dict[str, int],
        commitment: str,
        actor: str,
        pool_rule: int,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.campaign_id = campaign_id
        self.cycle = cycle
        self.purpose = purpose
        self.size = size
        self.quotas = dict(quotas)
        self.commitment = commitment
        self.committed_by = actor
        self.pool_rule = pool_rule
        self.status = COMMITTED
        self.pool: list[str] = []
        self.sectors: dict[str, str] = {}
        self.pool_digest: str | None = None
        self.as_of_position: int | None = None
        self.seed: str | None = None
        self.excluded: list[str] = []
        self.chosen: list[str] = []

    def freeze(self, sectors: Mapping[str, str], as_of_position: int, actor: str) -> None:
        """`sectors`: every eligible person id at `as_of_position` -> its sector."""
        if self.status != COMMITTED:
            raise DrawConflict(ALREADY_FROZEN, field="draw_id")
        # Refuse a pool the draw cannot be run on now, rather than discover it at the reveal.
        run_draw("feasibility", sectors, self.size, self.quotas)
        pool = sorted(sectors)
        self._frozen(
            pool=pool,
            sectors={p: sectors[p] for p in pool},
            pool_digest=pool_digest(pool),
            pool_size=len(pool),
            as_of_position=as_of_position,
            actor=actor,
        )

    @event(PoolFrozen)
    def _frozen(
        self,
        pool: list[str],
        sectors: dict[str, str],
        pool_digest: str,
        pool_size: int,
        as_of_position: int,
        actor: str,
    ) -> None:
        self.pool = list(pool)
        self.sectors = dict(sectors)
        self.pool_digest = pool_digest
        self.as_of_position = as_of_position
        self.status = FROZEN

    def reveal(self, seed: str, excluded: Iterable[str], as_of_position: int, actor: str) -> None:
        """`excluded`: pool members disqualified since the freeze; they sit on no panel."""
        if self.status == COMMITTED:
            raise DrawConflict(FREEZE_FIRST, field="draw_id")
        if self.status == DRAWN:
            raise DrawConflict(ALREADY_REVEALED, field="draw_id")
        if len(seed) < MIN_SEED_LENGTH:
            raise InvalidDraw(
                f"种子至少 {MIN_SEED_LENGTH} 个字符 "
                f"(a seed has at least {MIN_SEED_LENGTH} characters)",
                field="seed",
            )
        if commitment_of(seed) != self.commitment:
            raise InvalidDraw(SEED_MISMATCH, field="seed")
        out = sorted(set(excluded) & set(self.pool))
        remaining = {p: s for p, s in self.sectors.items() if p not in out}
        self._drawn(
            jurisdiction_id=self.jurisdiction_id,
            campaign_id=self.campaign_id,
            cycle=self.cycle,
            purpose=self.purpose,
            size=self.size,
            quotas=self.quotas,
            commitment=self.commitment,
            pool_digest=self.pool_digest or "",
            pool_size=len(self.pool),
            seed=seed,
            excluded=out,
            excluded_as_of_position=as_of_position,
            chosen=run_draw(seed, remaining, self.size, self.quotas),
            actor=actor,
        )

    @event(PanelDrawn)
    def _drawn(
        self,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        cycle: str,
        purpose: str,
        size: int,
        quotas: dict[str, int],
        commitment: str,
        pool_digest: str,
        pool_size: int,
        seed: str,
        excluded: list[str],
        excluded_as_of_position: int,
        chosen: list[str],
        actor: str,
    ) -> None:
        # The copies of earlier facts are for the published contract; state already has them.
        self.seed = seed
        self.excluded = list(excluded)
        self.chosen = list(chosen)
        self.status = DRAWN
