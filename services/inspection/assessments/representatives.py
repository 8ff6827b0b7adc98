"""Who the evaluation representatives (评议代表) are, for a violation to name one: the
registry's published `registry.representative.registered` facts (person and the jurisdiction
that registered them; never a contact), kept in a view of inspection's own fed by the
registry's log, which inspection already follows for its registry copy. Like that copy, it
may lag the registry by a moment: a person registered a moment ago is known once the view
has them (`GET /positions`, `consumers.registry`).

A violation names a person the caller may see, as `GET /people` on the registry shows them:
registered in the caller's jurisdiction or below it (admins: anyone). An unknown person and
one registered elsewhere are answered alike, 404 `person_not_found` naming `person_id`, so an
office learns nothing from inspection about another county's representatives."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from services.inspection.errors import InspectionNotFound
from shared.contracts import IntegrationMessage
from shared.contracts.registry_people import RepresentativeRegistered
from shared.views import Collection, ViewTransaction
from shared.views.model import View

if TYPE_CHECKING:  # the views process imports this module for the view alone
    from shared.principals import Principal
    from shared.runtime import ServiceRuntime

REPRESENTATIVES = "assessment_representatives"


class PersonNotFound(InspectionNotFound):
    """In the registry's words for a person it does not know (没有这个代表)."""

    code = "person_not_found"
    thing = "person"
    thing_zh = "代表"


def _registered(tx: ViewTransaction, p: RepresentativeRegistered, m: IntegrationMessage) -> None:
    person_id = str(p.person_id)
    doc = {"person_id": person_id, "jurisdiction_id": str(p.jurisdiction_id)}
    tx.put(REPRESENTATIVES, person_id, doc | {"position": m.position})


REPRESENTATIVES_VIEW = View(
    "representatives",
    1,
    (Collection(REPRESENTATIVES, index=("jurisdiction_id",), sort="person_id"),),
    {"registry": {RepresentativeRegistered: _registered}},
    "Evaluation representatives (评议代表) the registry registered, with the jurisdiction "
    "that registered each: who a representative's violation may name.",
)


def check_known_person(runtime: ServiceRuntime, caller: Principal, person_id: UUID) -> None:
    """Refuse a person inspection does not know as registered, or one outside what the
    caller may see, alike (404 `person_not_found`, field `person_id`)."""
    doc = runtime.views.get(REPRESENTATIVES, str(person_id))
    if doc is None or not runtime.authenticator.in_scope(caller, doc["jurisdiction_id"]):
        raise PersonNotFound(field="person_id")


def known_person(runtime: ServiceRuntime, caller: Principal, person_id: UUID) -> Callable[[], None]:
    """`check_known_person` of a request, for its command to run once its Idempotency-Key is
    looked up (a keyed retry answers as the first request did)."""
    return lambda: check_known_person(runtime, caller, person_id)
