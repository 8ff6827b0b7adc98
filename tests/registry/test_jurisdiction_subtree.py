"""`RegistryApplication.subtree`: the jurisdictions below a root as a read model lists them,
plus those the event store committed after the position the read model stood at (an
enrolment import searches them; see `importing/enrolments.py`)."""

from __future__ import annotations

from uuid import UUID

from services.registry.application import RegistryApplication
from services.registry.domain import Jurisdiction
from shared.principals import Principal
from tests.harness import IN_MEMORY
from tests.stored_events import store_as_before_the_split

ADMIN = Principal(None, "admin", "admin", None)


def _register(app: RegistryApplication, name: str, level: str, parent: UUID | None) -> UUID:
    return UUID(app.register_jurisdiction(ADMIN, name, level, parent, None)["jurisdiction_id"])


def _head(app: RegistryApplication) -> int:
    return app.recorder.max_notification_id() or 0


def test_the_subtree_is_every_jurisdiction_below_the_root_in_the_store() -> None:
    app = RegistryApplication(IN_MEMORY)
    city = _register(app, "漯河市", "city", None)
    county = _register(app, "源汇区", "district", city)
    zone = _register(app, "源汇经济开发区", "zone", county)
    elsewhere = _register(app, "许昌市", "city", None)
    _register(app, "魏都区", "district", elsewhere)
    assert app.subtree(city, [], None) == sorted([city, county, zone])
    assert app.subtree(county, [], None) == sorted([county, zone])
    assert app.subtree(zone, [], None) == [zone]


def test_what_the_view_lists_is_kept_and_only_the_log_after_its_position_is_read() -> None:
    app = RegistryApplication(IN_MEMORY)
    city = _register(app, "漯河市", "city", None)
    county = _register(app, "源汇区", "district", city)
    applied = _head(app)  # a view that has applied this far lists the county
    assert app.subtree(city, [], applied) == [city]  # the log before it is not read again
    new_county = _register(app, "召陵区", "district", city)
    zone = _register(app, "召陵经济开发区", "zone", new_county)
    below_listed = _register(app, "源汇经济开发区", "zone", county)
    found = app.subtree(city, [county], applied)
    assert found == sorted([city, county, new_county, zone, below_listed])


def test_jurisdictions_stored_before_the_domain_became_a_package_are_found() -> None:
    app = RegistryApplication(IN_MEMORY)
    city = Jurisdiction.register("漯河市", "city", None, "admin")
    county = Jurisdiction.register("源汇区", "district", city, "admin")
    events = [*city.collect_events(), *county.collect_events()]
    store_as_before_the_split(app, "services.registry.domain", *events)
    stored = app.recorder.select_notifications(start=1, limit=10)
    assert {n.topic for n in stored} == {"services.registry.domain:Jurisdiction.Registered"}
    assert app.subtree(city.id, [], None) == sorted([city.id, county.id])
