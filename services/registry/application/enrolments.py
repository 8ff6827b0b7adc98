"""Registry commands for the units of a campaign (评议活动): enrol, withdraw, key targets.

The signatures of enrol_units, withdraw_unit and designate_key_target are relied on by the
importer; keep them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any
from uuid import UUID

from services.registry.application.campaigns import CampaignCommands, as_uuid
from services.registry.domain import (
    KEY_TARGET_REASONS,
    Campaign,
    EnrolmentRefused,
    InvalidCampaign,
    Unit,
    enrolment_refusal,
)
from services.registry.domain.campaign_sub_units import sub_unit_category_refusal
from services.registry.domain.campaigns import KeyTarget, enrolled_categories
from shared.idempotency import Response
from shared.persistence.aggregate_reads import get_many
from shared.principals import Principal as Caller


class EnrolmentCommands(CampaignCommands):
    def enrol_units(
        self,
        caller: Caller,
        campaign_id: UUID,
        enrolments: list[dict[str, Any]],
        key: str | None,
    ) -> Response:
        """Enrol every listed unit ({"unit_id", "category"}) or none of them."""

        def command() -> tuple[list[Any], Response]:
            if not enrolments:
                raise EnrolmentRefused(
                    "请至少列出一个单位 (list at least one unit)", field="enrolments"
                )
            campaign = self.campaign(campaign_id)
            located = self.within(campaign.jurisdiction_id)
            # Read in this run, each attempt afresh: a retry after a clash judges what the
            # other request saved, as one-at-a-time reads did.
            units = self._units_read(item.get("unit_id") for item in enrolments)
            enrolled: list[Unit] = []
            for index, item in enumerate(enrolments):
                field = f"enrolments.{index}."
                unit = self._enrollable(
                    caller,
                    item.get("unit_id"),
                    located,
                    field,
                    enrolled,
                    campaign.cycle.get("ends_on"),
                    units,
                )
                campaign.enrol(unit.id, item.get("category", ""), caller.actor, field)
                enrolled.append(unit)
            self._refuse_misplaced_sub_units(campaign, enrolled, units)
            response = {
                "campaign_id": str(campaign.id),
                "enrolments": [enrolment_out(campaign, unit) for unit in enrolled],
            }
            return [campaign], response

        request = {"campaign_id": campaign_id, "enrolments": enrolments}
        return self.idempotent(caller, "enrolment", key, request, command)

    def _units_read(self, raw_ids: Iterable[object]) -> dict[UUID, Unit]:
        """The listed units, in one event-store read (`get_many`): those that are units; an
        id that is not one is left to `_enrollable` to refuse, in the batch's order."""
        ids: list[UUID] = []
        for raw in raw_ids:
            try:
                ids.append(as_uuid(raw, "unit_id"))
            except InvalidCampaign:
                continue
        found = get_many(self, ids).items()
        return {unit_id: unit for unit_id, unit in found if isinstance(unit, Unit)}

    def _refuse_misplaced_sub_units(
        self, campaign: Campaign, batch: list[Unit], read: dict[UUID, Unit]
    ) -> None:
        """A sub-unit of an enrolled unit is in its parent's category or in one of sub-units
        only (`campaign_sub_units`), judged once the whole batch is applied."""
        known = {unit.id: unit for unit in batch}
        found = sub_unit_category_refusal(
            enrolled_categories(campaign),
            [unit.id for unit in batch],
            lambda unit_id: known.get(unit_id) or read.get(unit_id) or self.unit(unit_id),
        )
        if found is not None:
            index, reason = found
            raise EnrolmentRefused(
                reason, field=f"enrolments.{index}.category", unit_name=batch[index].name
            )

    def _enrollable(
        self,
        caller: Caller,
        raw_id: object,
        located: Callable[[UUID], bool],
        field: str,
        batch: list[Unit],
        cycle_ends_on: str | None,
        read: dict[UUID, Unit],
    ) -> Unit:
        unit_id = as_uuid(raw_id, f"{field}unit_id")
        for index, earlier in enumerate(batch):
            if earlier.id == unit_id:
                raise EnrolmentRefused(
                    f"本批重复列出, 与 enrolments.{index} 相同 "
                    f"(listed twice in this batch (also enrolments.{index}))",
                    field=f"{field}unit_id",
                )
        unit = read.get(unit_id) or self.unit(unit_id, f"{field}unit_id")
        refusal = enrolment_refusal(
            unit,
            located,
            lambda parent: read.get(parent) or self.unit(parent, f"{field}unit_id"),
            cycle_ends_on,
        )
        if refusal is not None:
            # A unit the caller cannot see (another county's) is refused without its name, as
            # reading it would be (403): the registry tells where a unit is, not what it is.
            named = (
                {"unit_name": unit.name}
                if self.sees_jurisdiction(caller, unit.jurisdiction_id)
                else {}
            )
            raise EnrolmentRefused(refusal, field=f"{field}unit_id", **named)
        return unit

    def within(self, root: UUID) -> Callable[[UUID], bool]:
        """A test "is this jurisdiction in root's subtree", remembering answers for the batch."""

        @cache
        def located(jurisdiction_id: UUID) -> bool:
            return root in self.jurisdiction_lineage(jurisdiction_id)

        return located

    def withdraw_unit(
        self,
        caller: Caller,
        campaign_id: UUID,
        unit_id: UUID,
        reason: str,
        key: str | None = None,
    ) -> Response:
        request = {"campaign_id": campaign_id, "unit_id": unit_id, "reason": reason}
        return self._change_enrolment(
            caller,
            "enrolment.withdrawal",
            key,
            request,
            lambda campaign: campaign.withdraw(unit_id, reason, caller.actor),
        )

    def designate_key_target(
        self,
        caller: Caller,
        campaign_id: UUID,
        unit_id: UUID,
        reason_code: str,
        reason: str,
        key: str | None = None,
    ) -> Response:
        request: dict[str, Any] = {"campaign_id": campaign_id, "unit_id": unit_id}
        request |= {"reason_code": reason_code, "reason": reason}
        return self._change_enrolment(
            caller,
            "key_target",
            key,
            request,
            lambda campaign: campaign.designate_key_target(
                unit_id, reason_code, reason, caller.actor
            ),
        )

    def revoke_key_target(
        self,
        caller: Caller,
        campaign_id: UUID,
        unit_id: UUID,
        reason: str,
        key: str | None = None,
    ) -> Response:
        request = {"campaign_id": campaign_id, "unit_id": unit_id, "reason": reason}
        return self._change_enrolment(
            caller,
            "key_target.revocation",
            key,
            request,
            lambda campaign: campaign.revoke_key_target(unit_id, reason, caller.actor),
        )

    def _change_enrolment(
        self,
        caller: Caller,
        scope: str,
        key: str | None,
        request: dict[str, Any],
        change: Callable[[Campaign], None],
    ) -> Response:
        """One enrolled unit's change, at most once per Idempotency-Key (`request` names
        the campaign and the unit): the campaign's rules refuse or record it, and the answer
        is the enrolment as it then stands."""

        def command() -> tuple[list[Any], Response]:
            campaign = self.campaign(request["campaign_id"])
            change(campaign)
            return [campaign], enrolment_out(campaign, self.unit(request["unit_id"]))

        return self.idempotent(caller, scope, key, request, command)


def enrolment_out(c: Campaign, unit: Unit) -> Response:
    """The same shape the enrolment read model serves, so a write and a later read agree."""
    enrolment = c.enrolment(unit.id)
    assert enrolment is not None
    return {
        "campaign_id": str(c.id),
        "unit_id": str(unit.id),
        "unit_name": unit.name,
        "jurisdiction_id": str(unit.jurisdiction_id),
        "category": enrolment["category"],
        "status": enrolment["status"],
        "withdrawn_reason": enrolment["withdrawn_reason"],
        "key_target": key_target_out(enrolment["key_target"]),
    }


def key_target_out(target: KeyTarget | None) -> Response | None:
    if target is None:
        return None
    return {
        "reason_code": target["reason_code"],
        "reason_label": KEY_TARGET_REASONS[target["reason_code"]],
        "reason": target["reason"],
        "designated_by": target["designated_by"],
    }
