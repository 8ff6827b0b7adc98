"""`pingyi audit export` then `pingyi audit verify`, on a campaign round the real services
wrote, as an auditor runs them (a process of its own, no PINGYI_* settings, no services):
an untouched bundle is identical (0); one changed answer, with the manifest made to match,
is named by unit, component and message (1); an edit the manifest does not match is
refused naming the part (2)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import read_bundle
from services.scoring.engine import score_round
from shared.canonical import canonical_json
from shared.persistence.message_log import read_messages
from tests.audit.stores import campaign_history, embedded, run_pingyi, set_in_part

SCHEME = Path(__file__).parent / "schemes" / "satisfaction.yaml"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path_factory.mktemp("export")
    facts = campaign_history(folder / "pingyi-data")
    done = _export(folder, facts, "round-1.zip")
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "round-1.zip", facts


def _export(folder: Path, facts: dict[str, Any], out: str) -> Any:
    return run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"], "--round", "1",
        "--scheme", str(SCHEME), "--out", out, cwd=folder,
    )  # fmt: skip


def test_export_writes_the_logs_and_the_engines_results(
    exported: tuple[Path, dict[str, Any]],
) -> None:
    path, facts = exported
    bundle = read_bundle(path)
    common = embedded(path.parent / "pingyi-data")
    assert bundle.origins == ["registry", "survey", "inspection", "scoring"]
    for origin in bundle.origins:
        assert list(bundle.message_lines(origin)) == [m.data for m in read_messages(common, origin)]
    messages = [m.message for o in bundle.origins for m in read_messages(common, o)]
    expected = score_round(bundle.scheme, messages, campaign_id=facts["campaign_id"], round=1)
    assert canonical_json(bundle.results) == canonical_json(expected)
    assert {u["unit_id"] for u in bundle.results["units"]} == set(facts["unit_ids"])
    assert bundle.manifest["about"]["campaign_id"] == facts["campaign_id"]
    assert (
        bundle.manifest["about"]["read_to"]["survey"] == bundle.manifest["logs"]["survey"]["last"]
    )


def test_exporting_again_gives_the_same_file(
    exported: tuple[Path, dict[str, Any]],
) -> None:
    path, facts = exported
    done = _export(path.parent, facts, "again.zip")
    assert done.returncode == 0, done.stdout + done.stderr
    again = path.parent / "again.zip"
    assert again.read_bytes() == path.read_bytes()
    assert hashlib.sha256(again.read_bytes()).hexdigest() in done.stdout


def test_an_untouched_bundle_verifies_identically(
    exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, _ = exported
    (tmp_path / "b.zip").write_bytes(path.read_bytes())  # far from any data directory
    done = run_pingyi("audit", "verify", "b.zip", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "identical" in done.stdout
    assert list(tmp_path.iterdir()) == [tmp_path / "b.zip"]


def _forge(source: Path, target: Path, questionnaire_id: str, unit_id: str, answer: str) -> int:
    """Change one answer in the bundle's survey log and make the manifest match it, as a
    careful forger would; returns the forged message's position."""
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    lines = entries["messages/survey.jsonl"].splitlines()
    order = next(
        json.loads(line)["payload"]["unit_ids"]
        for line in lines
        if json.loads(line)["event_type"] == "survey.wave.opened"
    )
    position = 0
    for number, line in enumerate(lines):
        message = json.loads(line)
        # A push travels as batch parts: the questionnaire is one of a part's.
        if message["event_type"] == "survey.batch.recorded" and set_in_part(
            message["payload"], questionnaire_id, order.index(unit_id), answer
        ):
            lines[number] = canonical_json(message)
            position = message["position"]
    entries["messages/survey.jsonl"] = b"".join(line + b"\n" for line in lines)
    manifest = json.loads(entries["manifest.json"])
    for name, entry in manifest["parts"].items():
        entry["sha256"] = hashlib.sha256(entries[name]).hexdigest()
        entry["bytes"] = len(entries[name])
    entries["manifest.json"] = canonical_json(manifest)
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    assert position
    return position


def test_one_changed_answer_is_named_by_unit_component_and_message(
    exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, facts = exported
    victim = facts["unit_ids"][1]  # rated 满意 by all but Q-0007 (不满意); nobody said 基本满意
    position = _forge(path, tmp_path / "forged.zip", "Q-0003", victim, "基本满意")
    done = run_pingyi("audit", "verify", "forged.zip", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    name = facts["unit_names"][victim]
    assert f"单位 unit {name} ({victim}): 不同 different" in out
    assert (
        "指标 component satisfaction: inputs.counts.基本满意: 审计包中为 0, 重算为 1 "
        "(inputs.counts.基本满意: bundle 0, recomputed 1)"
    ) in out
    assert (
        "inputs.counts.满意: 审计包中为 9, 重算为 8 (inputs.counts.满意: bundle 9, recomputed 8)"
        in out
    )
    named = [line.strip() for line in out.splitlines() if "消息 message" in line]
    message = "survey.batch.recorded questionnaire_id=Q-0003"
    assert named == [
        f"消息 message survey 位置 {position} {message} (survey position {position} {message})"
    ]
    assert "不一致 different: results_digest" in out
    # Only the victim's component changed (others may move in rank, never in a component).
    assert sum(1 for line in out.splitlines() if "指标 component" in line) == 1


def test_a_changed_answer_the_manifest_does_not_match_is_refused(
    exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, facts = exported
    _forge(path, tmp_path / "forged.zip", "Q-0003", facts["unit_ids"][1], "基本满意")
    with zipfile.ZipFile(tmp_path / "forged.zip") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path) as archive:
        entries["manifest.json"] = archive.read("manifest.json")  # the honest manifest
    with zipfile.ZipFile(tmp_path / "careless.zip", "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    done = run_pingyi("audit", "verify", "careless.zip", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bundle refused: messages/survey.jsonl: sha256" in done.stdout
