"""The registry decides scope from its event store, not from its copy of itself: a
jurisdiction an office registered a moment ago is known, and in the office's scope, on the
next request, however far behind the registry copy (a view) is (held back for certain:
`tests.registry.held_views`)."""

from __future__ import annotations

import pytest

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.held_views import registry_views_held
from tests.registry.helpers import city_with_counties, post
from tests.registry.import_helpers import csv_bytes

pytestmark = pytest.mark.infra


def test_a_new_county_is_known_and_in_scope_before_the_registry_copy_has_it(
    production_settings: CommonSettings, database_url: str
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        world = city_with_counties(cluster)
        cluster.wait_caught_up("registry", "registry")  # the city office's key is known
        with registry_views_held(database_url):
            city_office = world["keys"]["city"]
            city = world["city"]["jurisdiction_id"]
            body = {"name": "召陵区", "level": "district", "parent_id": city}
            county = post(cluster, "/jurisdictions", body, key=city_office)["jurisdiction_id"]
            copy = cluster["registry"].app.state.runtime.registry
            assert copy.jurisdiction(county) is None  # held back

            for key in (ADMIN, city_office):
                read = cluster["registry"].get(f"/jurisdictions/{county}", headers=key)
                assert read.status_code == 200, read.text
            rows = [["姓名", "界别"], ["王五", "人大代表"]]
            imported = cluster["registry"].post(
                "/imports/representatives",
                content=csv_bytes(rows),
                params={"jurisdiction_id": county},
                headers=city_office | {"Content-Type": "text/csv"},
            )
            assert imported.status_code == 201, imported.text
            person = imported.json()["created"][0]["id"]
            unit = {
                "jurisdiction_id": county,
                "name": "召陵区民政局",
                "kind": "government_department",
            }
            unit_id = post(cluster, "/units", unit | {"category": "政府部门"}, key=city_office)
            for path in (f"/people/{person}", f"/units/{unit_id['unit_id']}"):
                read = cluster["registry"].get(path, headers=city_office)
                assert read.status_code == 200, (path, read.text)

            # Scope still holds: the other county's office has none of it.
            other = world["keys"]["源汇区"]
            refused = cluster["registry"].get(f"/jurisdictions/{county}", headers=other)
            assert refused.status_code in (403, 404), refused.text
            assert copy.jurisdiction(county) is None  # all of the above without the copy
