"""Many people uploading the same new file at once, against the real PostgreSQL store: a
county's inspectors all photograph the same notice board and send it the moment they are
back on the network. Every upload succeeds and names the one stored file, and its record
lists each uploader exactly once, however many raced to write it."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from services.inspection.application import InspectionApplication
from services.inspection.evidence import ENV_KEY
from services.inspection.evidence_records import evidence_record_id
from services.inspection.main import InspectionService
from shared.principals import Principal
from shared.settings import CommonSettings
from tests.harness import ADMIN, IN_MEMORY, Cluster

UPLOADERS = 8


def _created(response: httpx.Response) -> Any:
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.infra
def test_the_same_new_file_uploaded_at_once_by_many_records_each_uploader_once(
    production_settings: CommonSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_KEY, str(tmp_path / "evidence"))
    with Cluster(production_settings, ["registry", "inspection"]) as cluster:
        registry, client = cluster["registry"], cluster["inspection"]
        county = _created(
            registry.post("/jurisdictions", json={"name": "大庆市", "level": "city"}, headers=ADMIN)
        )["jurisdiction_id"]
        people = [
            _created(
                registry.post(
                    "/principals",
                    json={
                        "name": f"大庆市暗访组{n}",
                        "role": "inspector",
                        "jurisdiction_id": county,
                    },
                    headers=ADMIN,
                )
            )
            for n in range(UPLOADERS)
        ]
        cluster.wait_caught_up("inspection", "registry")

        photo = b"\xff\xd8\xff\xe0" + uuid.uuid4().bytes * 64  # new to the store
        together = threading.Barrier(UPLOADERS)
        answers: dict[str, httpx.Response | BaseException] = {}

        def upload(person: dict[str, Any]) -> None:
            headers = {"X-API-Key": person["api_key"], "Content-Type": "image/jpeg"}
            together.wait()
            try:
                answers[person["principal_id"]] = client.post(
                    "/evidence", content=photo, headers=headers
                )
            except BaseException as error:  # a server error, raised through the client
                answers[person["principal_id"]] = error

        threads = [threading.Thread(target=upload, args=(p,)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        failed = {
            who: answer if isinstance(answer, BaseException) else answer.text
            for who, answer in answers.items()
            if isinstance(answer, BaseException) or answer.status_code != 201
        }
        assert failed == {}
        named = {a.json()["sha256"] for a in answers.values() if isinstance(a, httpx.Response)}
        assert len(answers) == UPLOADERS and len(named) == 1
        [sha256] = named

        app: InspectionApplication = client.app.state.runtime.application  # type: ignore[attr-defined]
        record = app.evidence_file(sha256)
        assert record is not None
        uploaders = [str(principal) for principal, _ in record.uploads]
        assert sorted(uploaders) == sorted(p["principal_id"] for p in people)
        assert {place for _, place in record.uploads} == {uuid.UUID(county)}
        for person in people:
            mine = client.get(f"/evidence/{sha256}", headers={"X-API-Key": person["api_key"]})
            assert mine.content == photo


class Squatter(Aggregate):
    """Something other than a file's record under the id its record would take: a conflict
    that no re-reading resolves."""


def test_a_conflict_that_is_no_race_is_not_retried_forever(tmp_path: Path) -> None:
    app = InspectionService(env=IN_MEMORY | {ENV_KEY: str(tmp_path)})
    sha256 = "ab" * 32
    app.save(Squatter._create(Aggregate.Created, id=evidence_record_id(sha256)))
    uploader = Principal(uuid.uuid4(), "大庆市暗访组", "inspector", uuid.uuid4())
    with pytest.raises(IntegrityError):
        app.record_upload(uploader, sha256, "image/jpeg", 10)
