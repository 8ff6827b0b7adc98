"""Checks of what a wave is opened with: its agencies, survey points, respondent groups and,
for a representative evaluation, its panel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from services.survey.domain import InvalidWave, Objections
from services.survey.domain.canonical import canonical_answer, repeated_code
from services.survey.verification import VoterCheck
from shared.campaign_view import CampaignView
from shared.contracts.survey import AgencyQuota, Channel, TemplateSnapshot, WaveKind
from shared.registry_view import PRINCIPALS, RegistryView
from shared.views import ViewStore


def check_agency(views: ViewStore, agency_id: str, field: str) -> None:
    problem = agency_problem(views, agency_id, field)
    if problem is not None:
        raise problem


def agency_problem(views: ViewStore, agency_id: str, field: str) -> InvalidWave | None:
    agency = views.get(PRINCIPALS, agency_id)
    if agency is None or agency.get("role") != "agency":
        return InvalidWave("没有这个测评机构 (no such agency principal)", field=field)
    if agency.get("revoked"):
        return InvalidWave("该测评机构的密钥已被吊销 (the agency's key is revoked)", field=field)
    return None


def check_agencies(
    views: ViewStore, spec: dict[str, Any], objections: Objections
) -> list[AgencyQuota]:
    """The agencies that stand; each one that does not is an objection."""
    listed = [(f"agencies.{i}.agency_id", a) for i, a in enumerate(spec.get("agencies") or [])]
    if spec.get("agency_id") is not None:
        listed = [("agency_id", {"agency_id": spec["agency_id"], "quota": None}), *listed]
    if not listed:
        objections.add(
            InvalidWave(
                "测评批次须至少认定一家测评机构 (a wave needs an accredited agency)",
                field="agencies",
            )
        )
    seen: set[str] = set()
    agencies: list[AgencyQuota] = []
    for field, entry in listed:
        agency_id = str(entry["agency_id"])
        problem = (
            InvalidWave("测评机构重复列出 (agency listed twice)", field=field)
            if agency_id in seen
            else agency_problem(views, agency_id, field)
        )
        seen.add(agency_id)
        if problem is not None:
            objections.add(problem)
            continue
        agencies.append(AgencyQuota(agency_id=UUID(agency_id), quota=entry.get("quota")))
    return agencies


def check_points(
    registry: RegistryView,
    jurisdiction_id: str,
    points: list[dict[str, Any]],
    objections: Objections,
) -> list[dict[str, Any]]:
    seen: dict[str, str] = {}
    for index, point in enumerate(points):
        for problem in _point_problems(registry, jurisdiction_id, point, index, seen):
            objections.add(problem)
        seen.setdefault(canonical_answer(point["code"]), point["code"])
    return [
        {
            "code": p["code"],
            "name": p["name"],
            "jurisdiction_id": str(p["jurisdiction_id"]),
            "target": p["target"],
            "quota": p.get("quota"),
        }
        for p in points
    ]


def _point_problems(
    registry: RegistryView,
    jurisdiction_id: str,
    point: dict[str, Any],
    index: int,
    seen: dict[str, str],
) -> Iterator[InvalidWave]:
    # A point's code, county and quota are each wrong on their own: all are said.
    reason = repeated_code(point["code"], seen, "测评点编码重复", "survey point code repeats")
    if reason is not None:
        yield InvalidWave(reason, field=f"points.{index}.code")
    county = str(point["jurisdiction_id"])
    if registry.jurisdiction(county) is None or jurisdiction_id not in registry.lineage(county):
        yield InvalidWave(
            "测评点所在辖区不在本次测评批次的辖区内 "
            "(the point's jurisdiction is outside the wave's)",
            field=f"points.{index}.jurisdiction_id",
        )
    quota = point.get("quota")
    if quota is not None and quota < point["target"]:
        yield InvalidWave(
            "测评点配额低于目标样本量 (the quota is below the target)",
            field=f"points.{index}.quota",
        )


def check_groups(groups: list[dict[str, Any]], objections: Objections) -> list[dict[str, Any]]:
    seen: dict[str, str] = {}
    for index, group in enumerate(groups):
        reason = repeated_code(group["code"], seen, "受访群体编码重复", "group code repeats")
        if reason is not None:
            objections.add(InvalidWave(reason, field=f"groups.{index}.code"))
        seen.setdefault(canonical_answer(group["code"]), group["code"])
    if groups and sum(g["target_percent"] for g in groups) != 100:
        objections.add(
            InvalidWave(
                "各受访群体的目标占比之和须为 100% (the groups' target shares must add up to 100%)",
                field="groups",
            )
        )
    return [
        {"code": g["code"], "name": g["name"], "target_percent": g["target_percent"]}
        for g in groups
    ]


def check_panel(
    views: ViewStore, kind: WaveKind, spec: dict[str, Any], objections: Objections
) -> list[str]:
    """The wave's panel (`representative_panel`); a panel named for a wave of another kind
    is an objection per field that names one."""
    if kind == WaveKind.REPRESENTATIVE_EVALUATION:
        return objections.attempt(lambda: representative_panel(views, spec), [])
    for field in ("panel_draw_id", "panel_body_id"):
        if spec.get(field) is not None:
            objections.add(
                InvalidWave(
                    "只有代表评议才有评议代表 (only a representative evaluation has a panel)",
                    field=field,
                )
            )
    return []


def representative_panel(views: ViewStore, spec: dict[str, Any]) -> list[str]:
    """A representative evaluation is voted on by its panel only (代表评议): a drawn panel
    (`panel_draw_id`), or the representatives appointed to a body for a cycle
    (`panel_body_id`, `panel_cycle`) and not disqualified when the wave opens. Each check
    needs the one before: the first that fails is the answer."""
    draw_id, body_id = spec.get("panel_draw_id"), spec.get("panel_body_id")
    if (draw_id is None) == (body_id is None):
        raise InvalidWave(
            "代表评议须指明评议代表: 一次代表抽选 panel_draw_id, 或任命代表的机关 panel_body_id "
            "(a representative evaluation names its panel: a draw, or an appointing body)",
            field="panel_draw_id",
        )
    if body_id is not None:
        return appointed_panel(views, str(body_id), spec.get("panel_cycle"))
    panel = CampaignView(views).panel(str(draw_id))
    if panel is None:
        raise InvalidWave("没有这次代表抽选 (no such panel draw)", field="panel_draw_id")
    if spec.get("campaign_id") is not None and panel["campaign_id"] not in (
        None,
        str(spec["campaign_id"]),
    ):
        raise InvalidWave(
            "该次代表抽选是为另一评议活动所做 (the panel was drawn for another campaign)",
            field="panel_draw_id",
        )
    return list(panel["chosen"])


def appointed_panel(views: ViewStore, body_id: str, cycle: str | None) -> list[str]:
    if not cycle:
        raise InvalidWave(
            "须填写评议代表的任期 panel_cycle "
            "(name the cycle the representatives were appointed for)",
            field="panel_cycle",
        )
    members = CampaignView(views).appointed(body_id, cycle)
    if not members:
        raise InvalidWave(
            "该机关本届没有任命评议代表 (或均已取消资格) "
            "(nobody is appointed to this body for this cycle (or all were disqualified))",
            field="panel_body_id",
        )
    return members


def check_public_wave(
    setup: dict[str, Any], template: TemplateSnapshot, objections: Objections
) -> None:
    """A public vote carries the voter and the ratings only, through the online channel: a
    wave open to the public that needs more of each respondent (their group or district, a
    panel member) or collects through other channels only could never record a vote, and
    every voter would be refused for a field they cannot send."""
    if not setup["public"]:
        return
    asks = (
        (template.asks_group, "受访群体", "group"),
        (template.asks_district, "辖区", "district"),
    )
    for asked, chinese, what in asks:
        if asked:
            objections.add(
                InvalidWave(
                    f"问卷模板要求填写受访者的{chinese}, 网上投票不带此项: 请改用不要求填写的模板 "
                    f"(the template asks for the respondent's {what}, which a public vote does "
                    "not carry: use a template that does not ask for it)",
                    field="template_id",
                )
            )
    if setup["kind"] == WaveKind.REPRESENTATIVE_EVALUATION:
        objections.add(
            InvalidWave(
                "代表评议由评议代表作答, 不面向公众: 请去掉 public, 或开设网上公开评议 "
                "(a representative evaluation is answered by its panel's members, not by the "
                "public: open it without `public`, or open an online_public_voting wave)",
                field="public",
            )
        )
    channels = setup["channels"]
    if channels and Channel.ONLINE not in channels:
        objections.add(
            InvalidWave(
                "网上投票经网上渠道收集, 本批次的渠道未含网上: 请加上 online, 或不列渠道 "
                "(public votes come through the online channel (网上), which this wave's "
                "channels leave out: add `online`, or list no channels)",
                field="channels",
            )
        )


def check_voter_check(public: bool, asked: str | None, objections: Objections) -> str | None:
    """What a public vote must carry (`VoterCheck`): a text-message code unless the office
    says `none` (security by default). A private wave has no public votes to check."""
    if public:
        return asked or VoterCheck.SMS_CODE.value
    if asked is not None:
        objections.add(
            InvalidWave(
                "只有面向公众的测评批次才核验投票人: 请加上 public, 或去掉 voter_check "
                "(only a wave open to the public checks its voters: open it with `public`, "
                "or leave `voter_check` out)",
                field="voter_check",
            )
        )
    return None
