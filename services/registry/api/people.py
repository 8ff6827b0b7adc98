"""评议代表: evaluation representatives, their appointments (聘任), training and disqualification.

Offices write and read inside their jurisdiction subtree; admins everywhere; auditors read
everything (without contacts) and write nothing; other roles have no business here.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request

from services.registry.api.deps import RegistryApp
from services.registry.application.people import contacts_visible_to, person_out
from services.registry.domain.people import (
    AppointingBody,
    Cycle,
    Person,
    sector_code,
)
from services.registry.projections.people import PEOPLE, RepresentativesView, cycle_needle
from services.registry.schemas.common import CycleText
from services.registry.schemas.people import (
    AppointmentIn,
    DisqualificationIn,
    PeopleBatchIn,
    PeopleBatchOut,
    PersonIn,
    PersonOut,
    RulesReportOut,
    TrainingIn,
)
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import ViewsDep
from shared.policy import Policy, PolicyRouter, allow, body, path, query
from shared.principals import Principal
from shared.types import Line
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, narrowed, scope_where

router = PolicyRouter(tags=["representatives 评议代表"])
PERSON = path("person_id", "person")


def _view(request: Request) -> RepresentativesView:
    return RepresentativesView(request.app.state.runtime.views)


def _with_contact(
    app: RegistryApp, caller: Principal, out: dict[str, Any], person: Person | None = None
) -> dict[str, Any]:
    """Every answer about a person, write or read, shows the contact the same way: masked,
    to offices and admins, when there is one. The write side's answers never carry it (they
    are kept in idempotency records), so it is added here, from the sealed copy."""
    if not (contacts_visible_to(caller) and out.get("has_contact")):
        return out
    found = person or app.person(UUID(out["person_id"]))
    return out | {"contact_masked": app.masked_contact(found)}


@router.post(
    "/people",
    status_code=201,
    response_model=PersonOut,
    **allow(Policy.write("office", scope=body("jurisdiction_id", "jurisdiction"))),
)
def register_person(
    body: PersonIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记评议代表 (one person into a jurisdiction's pool 评议人员库).

    The contact is refused as a duplicate (409 `duplicate_contact`, field `contact`, naming
    the `person_id` and `jurisdiction_id` that have it) if a representative the caller may
    see already has it: one human is one record, however many bodies in the caller's
    jurisdiction appoint them. A representative the caller may not see (another county's)
    makes no difference to the answer: the registration goes through.
    """
    result = app.register_people(caller, [body.model_dump()], idempotency_key, prefix=None)
    return _with_contact(app, caller, result["people"][0])


@router.post(
    "/people:batch",
    status_code=201,
    response_model=PeopleBatchOut,
    **allow(
        Policy.write("office", scope=body("people.*.jurisdiction_id", "jurisdiction")),
        large_body=True,
    ),
)
def register_people(
    body: PeopleBatchIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """登记一批评议代表, all or none (errors name people.<n>.<field>); contacts as for one."""
    result = app.register_people(caller, [p.model_dump() for p in body.people], idempotency_key)
    return {"people": [_with_contact(app, caller, person) for person in result["people"]]}


@router.get(
    "/people",
    response_model=list[PersonOut],
    **allow(Policy.read("office", scope=query("jurisdiction_id", "jurisdiction"), filtered=True)),
)
def list_people(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: RegistryApp,
    views: ViewsDep,
    page: Pagination,
    jurisdiction_id: Annotated[UUID | None, Query(description="Only this pool")] = None,
    sector: Annotated[Line | None, Query(max_length=30, examples=["人大代表"])] = None,
    cycle: Annotated[CycleText | None, Query()] = None,
    disqualified: Annotated[bool | None, Query()] = None,
) -> list[dict[str, Any]]:
    """评议代表名单: representatives visible to the caller, filtered, ordered by name in
    dictionary (pinyin) order, then by id, paged (`limit`, `cursor`). Scope and every filter
    run in SQL, one query per page.

    Contacts appear masked (138****5678) for offices and admins only; a contact is sealed in
    the person's own records, so each listed person who has one is read once for it."""
    where = scope_where(auth, caller)
    if jurisdiction_id is not None:
        where = narrowed(where, "jurisdiction_id", str(jurisdiction_id))
    where |= {
        "sector": None if sector is None else sector_code(sector),
        "disqualified": None if disqualified is None else str(disqualified).lower(),
    }
    needle = None if cycle is None else cycle_needle(str(Cycle.parse(cycle)))
    found = page.fetch(views, PEOPLE, where=where, contains=needle)
    return [_with_contact(app, caller, p) for p in found]


@router.get(
    "/people/{person_id}", response_model=PersonOut, **allow(Policy.read("office", scope=PERSON))
)
def get_person(person_id: UUID, caller: CurrentPrincipal, app: RegistryApp) -> dict[str, Any]:
    """一名评议代表, with appointments and training records (read from the event store)."""
    person = app.person(person_id)
    return _with_contact(app, caller, person_out(person), person)


@router.post(
    "/people/{person_id}/trainings",
    response_model=PersonOut,
    **allow(Policy.write("office", scope=PERSON)),
)
def record_training(
    person_id: UUID,
    body: TrainingIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """记录培训 (date, topic, hours): a new event, never an edit. A training is recorded once
    held: a day after today (in China) is refused with 422 naming `held_on`."""
    out = app.record_training(
        caller, person_id, body.held_on, body.topic, body.hours, idempotency_key
    )
    return _with_contact(app, caller, out)


@router.post(
    "/people/{person_id}/appointments",
    response_model=PersonOut,
    **allow(
        Policy.write(
            "office",
            scope=(
                PERSON,
                body("body.jurisdiction_id", "jurisdiction", "skip"),
                body("body.unit_id", "unit", "skip"),
            ),
        )
    ),
)
def appoint(
    person_id: UUID,
    body: AppointmentIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """聘任: appointed by an office (纠风办) or a department for a cycle.

    409 (field body) if the person is already appointed by a body of the other kind in the
    same cycle, unless either appointment is a school or hospital special evaluation;
    409 (field person_id) if the person is disqualified.
    """
    appointing = body.body.model_dump()
    out = app.appoint(caller, person_id, appointing, body.cycle, body.purpose, idempotency_key)
    return _with_contact(app, caller, out)


@router.post(
    "/people/{person_id}/disqualification",
    response_model=PersonOut,
    **allow(Policy.write("office", scope=PERSON)),
)
def disqualify(
    person_id: UUID,
    body: DisqualificationIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """取消评议代表资格 with a reason: no later appointment, pool or panel."""
    out = app.disqualify(caller, person_id, body.reason, idempotency_key)
    return _with_contact(app, caller, out)


@router.get(
    "/appointments/rules",
    response_model=RulesReportOut,
    **allow(Policy.read("office", scope=query("body", "appointing_body", "defer"))),
)
def appointment_rules(
    request: Request,
    body: Annotated[
        Line,
        Query(
            max_length=60,
            description='"office:<jurisdiction id>" or "department:<unit id>"',
            examples=["office:3f2c1a9e-0000-4000-8000-000000000001"],
        ),
    ],
    cycle: Annotated[CycleText, Query(examples=["2026-2027"])],
) -> dict[str, Any]:
    """评议代表选聘规则检查: at least one third newly appointed (a report: passes true/false),
    and who is shared between this body and a body of the other kind in the cycle."""
    appointing = AppointingBody.parse(body)
    return _view(request).rules_report(appointing, str(Cycle.parse(cycle)))
