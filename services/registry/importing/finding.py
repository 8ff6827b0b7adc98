"""Finding the unit a sheet's cell names (an import's 上级单位, an enrolment's 单位名称 or
统一社会信用代码) as the registry stands when the request reads it, not as its view last saw it.

A full name or a credit code taken since claims exist is held by a `UnitNameClaim`, saved
with the unit's own events: current the moment the command that registered (renamed, moved)
the unit commits, so an office that registers a unit and imports the next file naming it
finds it. Short names and former names are not claimed, nor are the names of units registered
before claims existed: those come from the registry's view (`UnitIndex`), which may lag by
moments (a 简称 given a moment ago is found once the view has it). Every candidate, wherever
it was found, is judged by its own events (active, in the jurisdiction, still called so), so
a lagging view never offers a unit that has since been renamed, moved or dissolved.

Each lookup reads what it will judge in one event-store query (`get_many`): the units the
view lists for the cell and, where the claims are asked, the claims of the cell's name or
code in each jurisdiction; then the claims' holders not read yet. What a request has read it
keeps (a unit named in many rows is read once), for the claims' judge (`UnitNames`) too.
A sheet's lookups may be read before its rows are parsed (`read_ahead`): what every cell
would read, in one query, then the claims' holders in another; finders that share their
reads (`reads=`) read together. Each cell is still judged, and refused, by its own lookup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate

from services.registry.application import RegistryApplication
from services.registry.application.unit_names import UnitNames
from services.registry.domain import Unit
from services.registry.domain.credit_code import canonical_credit_code
from services.registry.domain.unit_names import UnitNameClaim, code_key, name_key
from services.registry.importing.columns import CellError
from services.registry.importing.lookup import UnitIndex
from shared.persistence.aggregate_reads import get_many
from shared.web.echo import clip

_CREDIT_CODE_SHAPE = re.compile(r"^[0-9A-Z]{18}$")


def code_shaped(text: str) -> bool:
    """Whether `text` reads as a credit code (and is looked up as one too)."""
    return bool(_CREDIT_CODE_SHAPE.match(canonical_credit_code(text)))


class UnitFinder:
    """The active units of some jurisdictions, by any name they are known by or by credit
    code. `always_ask_claims`: ask each jurisdiction's claims for every cell; otherwise only
    when the view knows no such unit (a whole subtree: a claim read per jurisdiction)."""

    def __init__(
        self,
        app: RegistryApplication,
        jurisdiction_ids: Sequence[UUID],
        docs: Iterable[dict[str, Any]],
        *,
        always_ask_claims: bool = True,
        reads: ReadOnce | None = None,
    ) -> None:
        self._places = list(jurisdiction_ids)
        self._inside = set(self._places)
        self._view = UnitIndex(docs)
        self.reads = ReadOnce(app) if reads is None else reads
        self._claims = UnitNames(self.reads, None)
        self._always = always_ask_claims

    def find(self, text: str) -> Unit | None:
        """The one unit meant by `text`; None if there is none; CellError if it is ambiguous."""
        if _CREDIT_CODE_SHAPE.match(canonical_credit_code(text)):
            coded = self.coded(text)
            if coded is not None:
                return coded
        found = self._judged(text, [doc["unit_id"] for doc in self._view.named(text)])
        if len(found) > 1:
            raise CellError(
                f"名称不唯一, {len(found)} 个已登记单位名为 {clip(text)!r}, 请填写统一社会信用代码 "
                f"({len(found)} registered units are called {clip(text)!r}; "
                "give the unified social credit code instead)"
            )
        return found[0] if found else None

    def coded(self, text: str) -> Unit | None:
        """The one unit with this code; None if there is none; CellError if several have it."""
        code = canonical_credit_code(text)
        listed = [doc["unit_id"] for doc in self._view.all_coded(code)]
        found = self._judged(code, listed, coded=True)
        if len(found) > 1:
            names = "、".join(clip(unit.name) for unit in found[:3])
            raise CellError(
                f"信用代码不唯一, {len(found)} 个已登记单位使用该代码 ({names}), 请填写单位名称 "
                f"({len(found)} registered units have this credit code; "
                "give the unit's name instead)"
            )
        return found[0] if found else None

    def wanted(self, names: Iterable[str], codes: Iterable[str]) -> list[UUID]:
        """What `find` of each name and `coded` of each code read first: the units the view
        lists for the text and, where the claims are always asked, the text's claims."""
        found: list[UUID] = []
        coded = [canonical_credit_code(text) for text in codes]
        for text in names:
            if _CREDIT_CODE_SHAPE.match(canonical_credit_code(text)):
                coded.append(canonical_credit_code(text))
            found += self._lookup(name_key(text), self._view.named(text))
        for code in coded:
            found += self._lookup(code_key(code), self._view.all_coded(code))
        return found

    def _lookup(self, key: str, listed: list[dict[str, Any]]) -> list[UUID]:
        claims = [UnitNameClaim.id_for(place, key) for place in self._places]
        return [*(UUID(doc["unit_id"]) for doc in listed), *(claims if self._always else [])]

    def _judged(self, text: str, listed: list[str], *, coded: bool = False) -> list[Unit]:
        """The units listed by the view, then those holding the claim in each jurisdiction,
        that by their own events bear `text` here now."""
        key = code_key(text) if coded else name_key(text)
        claim_ids = [UnitNameClaim.id_for(place, key) for place in self._places]
        listed_ids = [UUID(unit_id) for unit_id in listed]
        # The claims are read with the listed units only where they will be asked anyway.
        self.reads.fetch([*listed_ids, *(claim_ids if self._always else [])])
        found = self._bearing(text, listed_ids, coded)
        if found and not self._always:
            return found
        self.reads.fetch(claim_ids)
        self.reads.fetch(self.reads.holders(claim_ids))
        held = (self._claims.holder((place, key), text) for place in self._places)
        claimed = (unit.id for unit in held if unit is not None)
        return self._bearing(text, [*(unit.id for unit in found), *claimed], coded)

    def _bearing(self, text: str, unit_ids: Iterable[UUID], coded: bool) -> list[Unit]:
        found: list[Unit] = []
        for unit_id in dict.fromkeys(unit_ids):
            unit = self._unit(unit_id)
            if unit.is_active and unit.jurisdiction_id in self._inside and bears(unit, text, coded):
                found.append(unit)
        return found

    def _unit(self, unit_id: UUID) -> Unit:
        return self.reads.unit(unit_id)


def read_ahead(finders: Sequence[UnitFinder], names: list[str], codes: list[str]) -> None:
    """Read what the finders' lookups of these cells read first, then the claims' holders:
    two queries for finders sharing their reads (a sheet's names at once, not a row at a
    time). A lookup that goes further (a claim asked only where the view lists nothing)
    still reads that itself."""
    by_reads: dict[int, tuple[ReadOnce, list[UUID]]] = {}
    for finder in finders:
        entry = by_reads.setdefault(id(finder.reads), (finder.reads, []))
        entry[1].extend(finder.wanted(names, codes))
    for reads, ids in by_reads.values():
        reads.fetch(ids)
        reads.fetch(reads.holders(ids))


class ReadOnce(Repository[UUID]):
    """The aggregates one request has read, each read once, many at a time (`fetch`); as a
    repository, what `UnitNames` reads through (an id not fetched yet is read alone)."""

    def __init__(self, app: RegistryApplication) -> None:
        super().__init__(app.events, snapshot_store=app.snapshots)
        self._app = app
        self.kept: dict[UUID, Any] = {}
        self._absent: set[UUID] = set()

    def fetch(self, ids: Iterable[UUID]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if i not in self.kept and i not in self._absent]
        if wanted:
            self.kept |= get_many(self._app, wanted)
            self._absent.update(i for i in wanted if i not in self.kept)

    def unit(self, unit_id: UUID) -> Unit:
        """The unit, read once; not a unit (no events, another aggregate): the application's
        own refusal, as before."""
        self.fetch([unit_id])
        found = self.kept.get(unit_id)
        return found if isinstance(found, Unit) else self._app.unit(unit_id)

    def holders(self, claim_ids: Iterable[UUID]) -> list[UUID]:
        claims = (self.kept.get(claim_id) for claim_id in claim_ids)
        return [c.holder for c in claims if isinstance(c, UnitNameClaim) and c.holder is not None]

    def last_holders(self, claim_ids: Iterable[UUID]) -> list[UUID]:
        """The unit each claim read names as its last holder, whether it holds it still or
        gave it up (ended, renamed, moved)."""
        claims = (self.kept.get(claim_id) for claim_id in claim_ids)
        return [c.last_holder for c in claims if isinstance(c, UnitNameClaim)]

    def get(
        self,
        aggregate_id: UUID,
        *,
        version: int | None = None,
        projector_func: Any = project_aggregate,
        fastforward_skipping: bool = False,
        deepcopy_from_cache: bool = True,
    ) -> Any:
        if version is not None:
            return self._app.repository.get(aggregate_id, version=version)
        self.fetch([aggregate_id])
        if aggregate_id not in self.kept:
            raise AggregateNotFoundError(aggregate_id)
        return self.kept[aggregate_id]


def bears(unit: Unit, text: str, coded: bool) -> bool:
    """Whether the unit, by its own events, is called `text` (its name, short name or a
    former name) or, `coded`, holds the canonical credit code `text`."""
    if coded:
        return bool(unit.credit_code) and canonical_credit_code(unit.credit_code or "") == text
    key = name_key(text)
    return any(n and name_key(n) == key for n in (unit.name, unit.short_name, *unit.aliases))
