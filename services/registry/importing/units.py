"""参评单位 sheets: the columns of a unit import (the export that reads back the same way is
`unit_export`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from services.registry.application import RegistryApplication
from services.registry.application.unit_names import ListedUnits, UnitNames
from services.registry.domain import Unit
from services.registry.domain.common import STATUS_LABELS
from services.registry.domain.credit_code import canonical_credit_code
from services.registry.domain.unit_kinds import missing_parent_refusal, sub_unit_refusal
from services.registry.domain.unit_names import UnitNameClaim, code_key
from services.registry.importing.columns import CellError, Column, Issue, issue
from services.registry.importing.ended import ended_unit
from services.registry.importing.finding import ReadOnce, UnitFinder
from services.registry.importing.lookup import UnitIndex, name_key
from services.registry.importing.rows import Row, Spec
from services.registry.importing.unit_cells import credit_code, day, unit_kind
from services.registry.schemas.units import UnitIn
from shared.registry_view import UNITS
from shared.views import ViewReader
from shared.web.echo import clip

NAME = "单位名称"
SCOPE = "units"  # register_units' Idempotency-Key scope
CODE = "统一社会信用代码"
PARENT = "上级单位"


def unit_columns(parent: Callable[[str], Any]) -> list[Column]:
    """Every unit column this registry version accepts, in export order. A column whose
    field UnitIn does not know (yet) is left out, so it is reported as unknown, not lost."""
    columns = [
        Column(NAME, "name", required=True, aliases=("名称", "参评单位", "单位全称")),
        Column("简称", "short_name", aliases=("单位简称",)),
        Column("单位类型", "kind", required=True, parse=unit_kind, aliases=("类型", "单位性质")),
        Column("类别", "category", required=True, aliases=("评议类别", "参评类别", "分类")),
        Column(PARENT, "parent_id", parse=parent, aliases=("所属单位", "上级单位名称")),
        Column("垂直管理上级", "vertical_superior", aliases=("垂直管理", "垂直管理上级单位")),
        Column(CODE, "credit_code", parse=credit_code, aliases=("信用代码", "社会信用代码")),
        Column("生效日期", "effective_on", parse=day, aliases=("成立日期", "登记日期")),
    ]
    return [c for c in columns if c.field in UnitIn.model_fields]


def unit_spec(
    app: RegistryApplication,
    views: ViewReader,
    listed: ListedUnits,
    jurisdiction_id: UUID,
    *,
    dry_run: bool = False,
    replay: bool = False,
    visible: Callable[[UUID], bool] = lambda jurisdiction: True,
) -> Spec:
    """`replay`: the same Idempotency-Key already imported this file, so units that exist
    now are the ones it created and must not count as duplicates. `visible` limits parent
    units (上级单位) to jurisdictions the importing caller may change.

    Parents are found from the event store as `finding` says: an office that registered the
    parent, or the county, a moment ago names it in the next file. A `dry_run` also asks
    the claims whether a row's name or code is taken (`_Holders`); `listed`: the read
    model's lookup, for units that hold no claim (see `unit_names`). What every 上级单位
    cell's lookup and (dry run) every name's and code's claim reads is read before the rows
    are parsed, in two queries (`ahead`); each cell is still judged by its own lookup."""
    lineage = [j for j in app.jurisdiction_lineage(jurisdiction_id) if visible(j)]
    # One state for every level: a unit moved up or down the lineage meanwhile is found at
    # one level, never at both or neither.
    with views.snapshot() as snap:
        docs = {j: _units_of(snap, j) for j in lineage}
    reads = ReadOnce(app)
    levels = [UnitFinder(app, [j], docs[j], reads=reads) for j in lineage]
    # Names and codes are unique among the jurisdiction's own active units (the rule
    # registration applies), so a refusal only ever names a unit of the jurisdiction the
    # caller imports into: another county's units are neither consulted nor named.
    claims = (jurisdiction_id, UnitNames(reads, listed)) if dry_run else None
    here = None if replay else _Holders(docs[jurisdiction_id], claims)

    def ahead(texts: dict[str, list[str]]) -> None:
        wanted = [i for level in levels for i in level.wanted(texts.get(PARENT, []), [])]
        if here is not None:
            wanted += here.wanted(texts.get(NAME, []), texts.get(CODE, []))
        reads.fetch(wanted)
        reads.fetch(reads.holders(wanted))

    unit = reads.unit  # a parent `parent` found: read already

    def parent(text: str) -> UUID:
        for level in levels:
            found = level.find(text)
            if found is not None:
                return found.id
        ended = ended_unit(text, lineage, [doc for j in lineage for doc in docs[j]], reads)
        if ended is not None:
            status = ended.status
            raise CellError(
                f"上级单位 {clip(text)!r} {STATUS_LABELS.get(status, status)}, 不能再添加下级单位 "
                f"(the parent unit {clip(text)!r} has been {status}: it cannot take new "
                "sub-units)"
            )
        raise CellError(
            f"未找到上级单位 {clip(text)!r}, 请先导入上级单位: 本文件中的上级单位须在之前的文件中"
            f"导入 (no registered unit {clip(text)!r} in this jurisdiction or above; a parent "
            "listed in this file must be imported in an earlier file)"
        )

    return Spec(
        columns=unit_columns(parent),
        model=UnitIn,
        extra={"jurisdiction_id": jurisdiction_id},
        checks=lambda rows: _duplicates(rows, here) + _dates(unit, rows) + _kinds(unit, rows),
        read_ahead=ahead,
    )


def _units_of(views: ViewReader, jurisdiction_id: UUID) -> list[dict[str, Any]]:
    where = {"jurisdiction_id": str(jurisdiction_id)}
    # One state: a unit renamed between two pages would move in the name order.
    return views.everything(UNITS, where=where)


class _Holders:
    """Who bears a name or code in the jurisdiction: the active units its view lists, and,
    given `claims`, the unit a registration would find holding it (`UnitNames.holder`), so
    a dry run reports a name taken a moment ago. A real import leaves those to its command,
    whose refusal names the row (`flow.finish`): asking here too would read every row's
    claims twice."""

    def __init__(self, docs: list[dict[str, Any]], claims: tuple[UUID, UnitNames] | None) -> None:
        self._view = UnitIndex(docs)
        self._claims = claims

    def named(self, name: str) -> str | None:
        listed = self._view.currently_named(name)
        if listed or self._claims is None:
            return listed[0]["name"] if listed else None
        place, names = self._claims
        held = names.holder((place, name_key(name)), name)
        return None if held is None else held.name

    def coded(self, code: str) -> str | None:
        listed = self._view.all_coded(code)
        if listed or self._claims is None:
            return listed[0]["name"] if listed else None
        place, names = self._claims
        held = names.holder((place, code_key(code)))
        return None if held is None else held.name

    def wanted(self, names: list[str], codes: list[str]) -> list[UUID]:
        """The claims `named` and `coded` of these cells will ask (none without `claims`)."""
        if self._claims is None:
            return []
        place = self._claims[0]
        keys = [name_key(name) for name in names if not self._view.currently_named(name)]
        coded = (canonical_credit_code(code) for code in codes)
        keys += [code_key(code) for code in coded if not self._view.all_coded(code)]
        return [UnitNameClaim.id_for(place, key) for key in keys]


def _kinds(unit: Callable[[UUID], Unit], rows: list[Row]) -> list[Issue]:
    """A 重点科室 or 重点岗位 names its parent, and a sub-unit's kind must be one its parent
    can hold (the rules Unit.register applies)."""
    found: list[Issue] = []
    for row in rows:
        parent_id, kind = row.values.get("parent_id"), row.values.get("kind")
        if parent_id is None and kind is not None:
            missing = missing_parent_refusal(str(kind))
            if missing is not None:
                found.append(issue(row.number, PARENT, missing))
        if parent_id is None or kind is None:
            continue
        parent = unit(parent_id)
        refusal = sub_unit_refusal(parent.kind, str(kind))
        if refusal is not None:
            found.append(issue(row.number, PARENT, refusal, parent.name))
    return found


def _dates(unit: Callable[[UUID], Unit], rows: list[Row]) -> list[Issue]:
    """A sub-unit cannot exist before its parent (the rule Unit.register applies)."""
    found: list[Issue] = []
    for row in rows:
        parent_id, since = row.values.get("parent_id"), row.values.get("effective_on")
        if parent_id is None or since is None:
            continue
        began = unit(parent_id).registered_on
        if since < began:
            reason = f"早于上级单位 (the parent unit exists only from {began.isoformat()})"
            found.append(issue(row.number, "生效日期", reason, since.isoformat()))
    return found


def _duplicates(rows: list[Row], here: _Holders | None) -> list[Issue]:
    found: list[Issue] = []
    names: dict[str, int] = {}
    codes: dict[str, int] = {}
    for row in rows:
        name = row.values["name"]
        earlier = names.setdefault(name_key(name), row.number)
        if earlier != row.number:
            found.append(issue(row.number, NAME, _same_as(earlier), name))
        elif here is not None and here.named(name) is not None:
            reason = "该辖区已登记同名单位 (already registered in this jurisdiction)"
            found.append(issue(row.number, NAME, reason, name))
        code = row.values.get("credit_code")
        if not code:
            continue
        earlier = codes.setdefault(code, row.number)
        holder = here.coded(code) if here is not None else None
        if earlier != row.number:
            found.append(issue(row.number, CODE, _same_as(earlier), code))
        elif holder is not None:
            reason = (
                f"该辖区已登记该信用代码, 在册单位 {holder} 已使用 "
                f"(an active unit of this jurisdiction, {holder}, already has this "
                "code)"
            )
            found.append(issue(row.number, CODE, reason, code))
    return found


def _same_as(row: int) -> str:
    return f"与第{row}行重复 (same as row {row})"
