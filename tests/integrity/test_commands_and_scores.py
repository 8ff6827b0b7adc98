"""`pingyi audit verify-log` as an auditor runs it (a process of its own, exit 0/1/2), the
embedded key file, and stored score records against their digests: the API's warning and
/readyz's report when a score row was edited in the store."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import SecretStr

from shared.canonical import digest
from shared.integrity.keys import KEY_FILE, signing_key, verifying_key
from shared.integrity.scores import WARNING, results_match
from shared.settings import CommonSettings
from tests.audit.stores import run_pingyi
from tests.conftest import ADMIN_KEY
from tests.harness import ADMIN, Cluster
from tests.integrity.helpers import SEAL_KEY, SERVICES, Table, history, sealing
from tests.scoring.helpers import ok


def _embedded(data_dir: Path, **changes: Any) -> CommonSettings:
    common = CommonSettings(
        mode="embedded",
        data_dir=data_dir,
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
    )
    return sealing(common, **changes)


def _public_key(common: CommonSettings) -> str:
    key = verifying_key(common)
    assert key is not None
    from shared.integrity.keys import public_bytes

    return public_bytes(key).hex()


def test_verify_log_command_exits_0_1_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    common = _embedded(data)
    history(common)
    auditor = {"PINGYI_SEAL_PUBLIC_KEY": _public_key(common)}

    intact = run_pingyi("audit", "verify-log", "--data-dir", str(data), cwd=tmp_path, env=auditor)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert re.search(r"(\d) of \1 logs intact", intact.stdout), intact.stdout

    table = Table(common, "survey")
    position = table.positions("BatchPart.Recorded")[0]
    state = table.state(position)
    state["questionnaires"][0]["survey_point"] = "伪造的测评点"
    table.set_state(position, state)
    tampered = run_pingyi(
        "audit",
        "verify-log",
        "--service",
        "survey",
        "--data-dir",
        str(data),
        cwd=tmp_path,
        env=auditor | {"COLUMNS": "80"},  # as in a pipe or a file: a finding stays one line
    )
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    finding = f"TAMPERED at position {position}: the row changed after it was sealed"
    [line] = [line for line in tampered.stdout.splitlines() if finding in line]
    # How far the check read, said as that, never as if it were the log's size.
    assert re.search(
        r" \(the check stops there: \d+ rows read and \d+ checkpoints checked\)$", line
    )
    assert not re.search(r"survey: \d+ rows, ", line), line

    other_key = {"PINGYI_SEAL_PUBLIC_KEY": "22" * 32}
    wrong = run_pingyi("audit", "verify-log", "--data-dir", str(data), cwd=tmp_path, env=other_key)
    assert wrong.returncode == 1 and "signature" in wrong.stdout

    empty = run_pingyi(
        "audit", "verify-log", "--data-dir", str(tmp_path / "nowhere"), cwd=tmp_path, env=auditor
    )
    assert empty.returncode == 2 and "cannot run" in empty.stdout


def test_embedded_mode_makes_its_own_key_once(tmp_path: Path) -> None:
    common = _embedded(tmp_path).model_copy(update={"seal_key": None})
    assert signing_key(common) is None  # never made by merely looking
    made = signing_key(common, create=True)
    assert made is not None and (tmp_path / KEY_FILE).stat().st_mode & 0o777 == 0o600
    again = signing_key(common, create=True)
    assert again is not None and _public_key(common) == again.public_key().public_bytes_raw().hex()
    assert signing_key(common.model_copy(update={"seal_key": SecretStr(SEAL_KEY)})) != made


def test_round_results_digest_rule() -> None:
    document: dict[str, Any] = {"units": [{"unit_id": "u1", "score": "91.50"}]}
    document["results_digest"] = digest(document)
    assert results_match(document, document["results_digest"])
    document["units"][0]["score"] = "99.50"
    assert not results_match(document, document["results_digest"])
    listed = [{"unit_id": "u1", "score": "91.50"}]
    assert results_match(listed, digest(listed))
    assert not results_match(listed, digest([{"unit_id": "u1", "score": "99.50"}]))


def _edit_score(data_dir: Path, run_id: str) -> None:
    """A score raised in the stored round run, its digest left as it was."""
    with sqlite3.connect(data_dir / "scoring.sqlite") as db:
        where = "WHERE originator_id=? AND originator_version=1"
        state, message = db.execute(
            f"SELECT state, message FROM stored_events {where}", (UUID(run_id).hex,)
        ).fetchone()
        record, published = json.loads(state), json.loads(message)
        # Consistently: the row's published body says what its state says.
        for results in (record["results"], published["payload"]):
            results["units"][0]["score"] = "99.99"
        body = json.dumps(published, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        db.execute(
            f"UPDATE stored_events SET state=?, message=? {where}",
            (json.dumps(record, ensure_ascii=False).encode(), body.encode(), UUID(run_id).hex),
        )


def test_an_edited_score_is_served_with_a_warning_and_reported_by_readyz(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    built = history(_embedded(data))
    run_id = built["run"]["run_id"]
    assert built["run"]["integrity_warning"] is None
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    _edit_score(copy, run_id)

    with Cluster(_embedded(copy), SERVICES) as cluster:
        scoring = cluster["scoring"]
        served = ok(scoring.get(f"/round-runs/{run_id}", headers=ADMIN))
        assert served["integrity_warning"] == WARNING
        assert served["results"]["units"][0]["score"] == "99.99"
        deadline = time.monotonic() + 30
        while True:
            checks = scoring.get("/readyz").json()["checks"]
            mismatched = checks["scores"]["mismatched"]
            if mismatched or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert [m["originator_id"] for m in mismatched] == [run_id]
        assert checks["scores"]["records"] >= 1
        assert scoring.get("/readyz").status_code == 200  # reported, not a reason to stop serving

    with Cluster(_embedded(tmp_path / "data"), SERVICES) as cluster:
        checks = cluster["scoring"].get("/readyz").json()["checks"]
        assert checks["seal"]["last_error"] is None
        assert (
            ok(cluster["scoring"].get(f"/round-runs/{run_id}", headers=ADMIN))["integrity_warning"]
            is None
        )
