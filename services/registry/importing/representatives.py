"""评议代表 / 评议人员库 sheets: 姓名, 界别, 联系方式.

Contacts are checked (shape, duplicates in the file and among the representatives the
importing caller may see, as registration checks them) but never echoed:
reports show them masked, and exports leave the column out, so a spreadsheet passed around
the office carries no phone numbers.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.registry.application import RegistryApplication
from services.registry.application.people import mask_contact, normalise_contact
from services.registry.domain import InvalidRegistration
from services.registry.domain.people import SECTOR_LABELS, sector_code
from services.registry.importing.columns import CellError, Column, Issue, issue
from services.registry.importing.rows import Row, Spec
from services.registry.projections.people import RepresentativesView
from services.registry.schemas.people import PersonIn
from shared.principals import Principal as Caller
from shared.tabular import Sheet
from shared.text_order import pinyin_key
from shared.views import ViewReader

NAME = "姓名"
SECTOR = "界别"
CONTACT = "联系方式"
SCOPE = "people"  # register_people's Idempotency-Key scope


def sector(text: str) -> str:
    try:
        return sector_code(text)
    except InvalidRegistration as exc:
        raise CellError(exc.reason) from None


def contact(text: str) -> str:
    try:
        normalise_contact(text, "contact")
    except InvalidRegistration as exc:
        raise CellError(exc.reason) from None
    return text


def representative_spec(
    app: RegistryApplication, caller: Caller, jurisdiction_id: UUID, *, replay: bool = False
) -> Spec:
    columns = [
        Column(NAME, "name", required=True, aliases=("代表姓名", "评议代表")),
        Column(
            SECTOR, "sector", required=True, parse=sector, aliases=("类别", "界别/类别", "身份")
        ),
        Column(
            CONTACT,
            "contact",
            parse=contact,
            sensitive=True,
            aliases=("联系电话", "手机", "手机号码", "电话"),
        ),
    ]
    return Spec(
        columns=columns,
        model=PersonIn,
        extra={"jurisdiction_id": jurisdiction_id},
        checks=lambda rows: _duplicate_contacts(app, caller, rows, replay),
        preview=_preview,
    )


def _duplicate_contacts(
    app: RegistryApplication, caller: Caller, rows: list[Row], replay: bool
) -> list[Issue]:
    """One human is one record among what the caller sees, recognised by contact (as
    register_people: another county's representative is never reported)."""
    found: list[Issue] = []
    first: dict[str, int] = {}
    vault = app.contact_vault
    for row in rows:
        raw = row.values.get("contact")
        if not raw:
            continue
        normal = normalise_contact(raw, "contact")
        earlier = first.setdefault(normal, row.number)
        if earlier != row.number:
            found.append(
                issue(row.number, CONTACT, f"联系方式重复 (same contact as row {earlier})")
            )
        elif (
            not replay
            and vault is not None
            and app.contact_held_in_sight(caller, vault.fingerprint(normal))
        ):
            reason = "该联系方式已登记 (a representative with this contact is already registered)"
            found.append(issue(row.number, CONTACT, reason))
    return found


def _preview(row: Row) -> dict[str, Any]:
    raw = row.values.get("contact")
    return {
        "name": row.values["name"],
        "sector": row.values["sector"],
        "sector_label": SECTOR_LABELS[row.values["sector"]],
        "contact_masked": mask_contact(normalise_contact(raw, "contact")) if raw else None,
    }


def representative_sheet(views: ViewReader, jurisdiction_id: UUID, title: str) -> Sheet:
    """The jurisdiction's pool without the disqualified, and never a contact: by sector,
    then by name in dictionary (pinyin) order (丙三 before 丁四 before 孙七 before 乙二)."""
    people = RepresentativesView(views).qualified_in(str(jurisdiction_id))
    sectors = list(SECTOR_LABELS)
    people.sort(key=lambda p: (sectors.index(p["sector"]), pinyin_key(p["name"]), p["person_id"]))
    rows = [
        [str(number), p["name"], SECTOR_LABELS[p["sector"]]]
        for number, p in enumerate(people, start=1)
    ]
    return Sheet(title=f"{title}评议人员库", headers=["序号", NAME, SECTOR], rows=rows)
