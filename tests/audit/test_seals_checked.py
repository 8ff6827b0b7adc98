"""`pingyi audit export` and `pingyi replay --verify` check each log they read against its
seals (pingyi/audit_seals.py). Before, a bundle exported from an edited log verified
"identical" under `--scheme` (its results were computed from the edit), and a replay passed
an edit that moved no score, both saying nothing of it: the auditor had to know to run
`verify-log` first. Real services wrote and sealed the logs; the commands run as an auditor
runs them, a process of their own with only the public key."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_seals import TamperedLog, seals_lines, seals_record
from shared.integrity.keys import public_bytes, verifying_key
from shared.persistence.message_log import last_position
from shared.settings import CommonSettings
from tests.audit.stores import copy_of, edit_survey_answer, embedded, run_pingyi
from tests.integrity.helpers import Table, history, sealing

SCHEME = Path(__file__).parent / "schemes" / "satisfaction.yaml"


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict[str, str]]:
    """A round every service sealed to its last row, its final run, and the auditor's
    settings (the public key only)."""
    data = tmp_path_factory.mktemp("export-seals") / "pingyi-data"
    common = sealing(embedded(data))
    facts = history(common)
    key = verifying_key(common)
    assert key is not None
    return data, facts, {"PINGYI_SEAL_PUBLIC_KEY": public_bytes(key).hex()}


def _export(data: Path, facts: dict[str, Any], cwd: Path, *extra: str, **env: str) -> Any:
    return run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"], "--out", "b.zip",
        "--data-dir", str(data), *extra, cwd=cwd, env=env,
    )  # fmt: skip


def _about(bundle: Path) -> dict[str, Any]:
    with zipfile.ZipFile(bundle) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest["about"]


def test_an_untouched_sealed_log_is_said_checked_to_every_exported_position(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    data, facts, auditor = sealed
    done = _export(data, facts, tmp_path, **auditor)
    assert done.returncode == 0, done.stdout + done.stderr
    about = _about(tmp_path / "b.zip")
    read_to = about["read_to"]
    assert about["seals"] == {
        "checked": True,
        "logs": {o: {"intact": True, "sealed_to": p} for o, p in read_to.items() if p},
    }
    for origin, position in read_to.items():
        line = f"{origin}: 导出时已核对封存, 到位置 {position} 未被改动 (seals checked at export:"
        assert line in done.stdout, done.stdout
    verified = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"survey: 导出时已核对封存, 到位置 {read_to['survey']} 未被改动" in verified.stdout


def test_an_edited_log_is_refused_and_nothing_is_written(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    data, facts, auditor = sealed
    forged = copy_of(data, tmp_path / "pingyi-data")
    position = edit_survey_answer(forged, "B-00001", "不满意", "满意")
    for extra in ((), ("--scheme", str(SCHEME))):
        done = _export(forged, facts, tmp_path, *extra, **auditor)
        assert done.returncode == 2, done.stdout + done.stderr
        (line,) = done.stdout.splitlines()
        assert line.startswith(f"无法导出 export cannot run: survey 的日志在位置 {position} 处")
        assert f"the survey log differs from what was sealed at position {position}" in line
        assert "--allow-tampered" in line
        assert not (tmp_path / "b.zip").exists()


def test_an_edited_log_exported_on_purpose_says_so_and_verify_names_the_difference(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    """The auditor's way to find what an edit moved: the stored run's bundle from the
    edited log, then verify."""
    data, facts, auditor = sealed
    forged = copy_of(data, tmp_path / "pingyi-data")
    position = edit_survey_answer(forged, "B-00001", "不满意", "满意")
    done = _export(forged, facts, tmp_path, "--allow-tampered", **auditor)
    assert done.returncode == 0, done.stdout + done.stderr
    warning = f"警告 WARNING: survey: 日志在位置 {position} 处与封存的不符"
    assert warning in done.stdout
    survey = _about(tmp_path / "b.zip")["seals"]["logs"]["survey"]
    assert survey == {
        "intact": False,
        "position": position,
        "problem": "the row changed after it was sealed",
    }
    verified = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path)
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert warning in verified.stdout


def test_without_a_key_the_bundle_says_its_logs_were_not_checked(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    data, facts, _ = sealed
    done = _export(data, facts, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    seals = _about(tmp_path / "b.zip")["seals"]
    assert seals["checked"] is False and "no key" in seals["reason"]
    assert "注意 note: 导出时没有核对日志的封存 (no key" in done.stdout
    verified = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "the logs' seals were not checked at export" in verified.stdout


def test_a_log_whose_checkpoints_are_gone_is_warned_of(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    data, facts, auditor = sealed
    copy = copy_of(data, tmp_path / "pingyi-data")
    (copy / "survey-seals.sqlite").unlink()
    done = _export(copy, facts, tmp_path, **auditor)
    assert done.returncode == 0, done.stdout + done.stderr
    read_to = _about(tmp_path / "b.zip")["read_to"]["survey"]
    assert _about(tmp_path / "b.zip")["seals"]["logs"]["survey"] == {
        "intact": True,
        "sealed_to": 0,
    }
    assert f"警告 WARNING: survey: 导出时它到位置 {read_to} 的消息没有一条已封存" in done.stdout


def test_an_edit_after_the_exported_positions_does_not_stop_the_export(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    data, _, _ = sealed
    forged = copy_of(data, tmp_path / "pingyi-data")
    position = edit_survey_answer(forged, "B-00001", "不满意", "满意")
    common = sealing(embedded(forged))
    stops = {"registry": last_position(common, "registry") or 0, "survey": position - 1}
    record = seals_record(common, stops)
    assert record["logs"]["survey"]["position"] == position
    lines = seals_lines({"seals": record, "read_to": stops})
    (line,) = [line for line in lines if "survey" in line]
    assert f"after the bundle's last position {position - 1}: its messages are not affected" in line
    with pytest.raises(TamperedLog):
        seals_record(common, {**stops, "survey": position})


def _replay(data: Path, cwd: Path, **env: str) -> Any:
    return run_pingyi("replay", "--verify", "--data-dir", str(data), cwd=cwd, env=env)


def _ends(data: Path) -> dict[str, int]:
    common = embedded(data)
    ends = {o: last_position(common, o) for o in ("registry", "survey", "inspection", "scoring")}
    return {origin: end for origin, end in ends.items() if end}


def test_a_replay_of_sealed_logs_says_them_unchanged(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    data, _, auditor = sealed
    done = _replay(data, tmp_path, **auditor)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    for origin, end in _ends(data).items():
        said = f"{origin}: 已核对封存, 到位置 {end} 未被改动 (seals checked: unchanged to position"
        assert any(line.startswith(said) for line in lines), done.stdout


def test_an_edit_that_moves_no_score_fails_the_replay_by_its_seals(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    """A questionnaire's survey point changed in the stored state (what the survey service
    loads, not the message any score is computed from): every run replays identical, and
    only the seals tell the log was edited."""
    data, _, auditor = sealed
    forged = copy_of(data, tmp_path / "pingyi-data")
    table = Table(embedded(forged), "survey")
    position = table.positions("Recorded")[0]
    state = table.run("SELECT state FROM {t} WHERE {id} = ?", position)[0][0]
    table.run("UPDATE {t} SET state = ? WHERE {id} = ?", bytes(state) + b" ", position)
    done = _replay(forged, tmp_path, **auditor)
    assert done.returncode == 1, done.stdout + done.stderr
    summary = done.stdout.splitlines()[-1]
    assert summary.endswith(
        "(1 of 1 score runs identical, 0 different; logs that differ from their seals: survey)"
    ), summary
    (line,) = [line for line in done.stdout.splitlines() if line.startswith("篡改 TAMPERED")]
    assert line.startswith(f"篡改 TAMPERED: survey: 日志在位置 {position} 处与封存的不符")
    assert "the replay above read an edited log; run pingyi audit verify-log" in line


def test_a_replay_without_a_key_says_the_seals_were_not_checked(
    sealed: tuple[Path, dict[str, Any], dict[str, str]], tmp_path: Path
) -> None:
    data, _, _ = sealed
    done = _replay(data, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    *_, note, summary = done.stdout.splitlines()
    assert note.startswith("注意 note: 没有核对日志的封存 (no key"), note
    assert summary.endswith("(1 of 1 score runs identical, 0 different)"), summary


def test_in_production_the_check_reads_the_seals_stream_and_finds_an_edit(
    production_settings: CommonSettings,
) -> None:
    """PostgreSQL's tables and the seals stream on JetStream, as an export or a replay in
    production mode reads them: intact with nothing to note, then one stored state edited."""
    common = sealing(production_settings)
    history(common)
    ends = {o: last_position(common, o) or 0 for o in ("registry", "survey", "scoring")}
    record = seals_record(common, ends)
    assert record == {
        "checked": True,
        "logs": {origin: {"intact": True, "sealed_to": end} for origin, end in ends.items()},
    }
    table = Table(common, "survey")
    position = table.positions("Recorded")[0]
    table.run("UPDATE {t} SET state = state || '\\x20'::bytea WHERE {id} = ?", position)
    with pytest.raises(TamperedLog) as refused:
        seals_record(common, ends)
    assert f"differs from what was sealed at position {position}" in str(refused.value)
    found = seals_record(common, ends, allow_tampered=True)["logs"]["survey"]
    assert (found["intact"], found["position"]) == (False, position)


@pytest.mark.parametrize(
    "seals",
    [
        {"checked": True, "logs": ["survey"]},
        {"checked": True, "logs": {"survey": "intact"}},
        {"checked": True, "logs": {"survey": {"intact": True, "notes": "x"}}},
        {"checked": True, "logs": None},
        "checked",
    ],
)
def test_a_manifest_whose_seal_record_is_malformed_is_said_so_not_a_traceback(seals: Any) -> None:
    """`audit verify` prints these lines after reading a bundle someone else wrote: whatever
    `about.seals` holds, it prints lines (a traceback would exit 1, "different")."""
    lines = seals_lines({"seals": seals, "read_to": {"survey": 3}})
    assert all(isinstance(line, str) for line in lines)
