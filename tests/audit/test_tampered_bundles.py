"""`pingyi audit verify` on a bundle tampered with as an auditor would try it, the manifest
recomputed to match each time (the hashes alone then pass): what the report blames and the
exit code. A scheme changed is said as the scheme's doing, never blamed on questionnaires;
a result changed shows both values; every tamper is exit 1 (different) or 2 (refused), never
0 and never a traceback."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pingyi.audit_bundle import read_bundle
from pingyi.audit_seals import seals_lines
from shared.canonical import canonical_json
from tests.audit.stores import run_pingyi, scored_history

Entries = dict[str, bytes]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The final run's bundle as `pingyi audit export` writes it (5 questionnaires, three
    units; the second unit 基本满意 ×3, 满意 ×2: 88.00), and the history's facts."""
    data = tmp_path_factory.mktemp("tampered") / "pingyi-data"
    facts = scored_history(data)
    done = run_pingyi(
        "audit", "export", "--campaign", facts["campaign_id"], "--out", "final.zip",
        "--data-dir", str(data), cwd=data.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return data.parent / "final.zip", facts


def _tampered(source: Path, target: Path, change: Callable[[Entries], None]) -> Path:
    """`source` with `change` made to its entries and the manifest recomputed to match (each
    part's hash and size, each log's count and first and last position)."""
    with zipfile.ZipFile(source) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    change(entries)
    manifest = json.loads(entries["manifest.json"])
    for name, entry in manifest["parts"].items():
        entry.update(sha256=hashlib.sha256(entries[name]).hexdigest(), bytes=len(entries[name]))
    for origin, log in manifest["logs"].items():
        positions = [json.loads(line)["position"] for line in entries[f"messages/{origin}.jsonl"]
                     .splitlines()]  # fmt: skip
        log.update(count=len(positions), first=positions[0], last=positions[-1])
    entries["manifest.json"] = canonical_json(manifest)
    with zipfile.ZipFile(target, "w") as archive:  # as `audit export` writes one
        for name, content in entries.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return target


def _document(name: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Entries], None]:
    def edit(entries: Entries) -> None:
        document = json.loads(entries[name])
        change(document)
        entries[name] = canonical_json(document)

    return edit


def _weights(document: dict[str, Any]) -> None:
    """基本满意 counts 70 instead of 80: still a valid scheme."""
    document["components"][0]["level_weights"]["基本满意"] = "70"


def _verified(bundle: Path, cwd: Path) -> Any:
    done = run_pingyi("audit", "verify", bundle.name, cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _verdict_lines(done: Any, bundle: Path) -> list[str]:
    """The verdict's lines: after the file's and the round's, and what the manifest says of
    the logs' seals (`seals_lines`)."""
    seals = seals_lines(read_bundle(bundle).manifest["about"])
    lines = done.stdout.splitlines()
    assert lines[2 : 2 + len(seals)] == seals, done.stdout
    return list(lines[2 + len(seals) :])


_BLAMED_ON_INPUTS = ("消息 message", "问卷 questionnaires", "条消息影响它", "messages touch it")


def test_a_changed_scheme_is_said_not_blamed_on_questionnaires(
    exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The results name the scheme they were computed under; the bundle's scheme.json is
    another: said first, and no message is searched for (it named 3 questionnaires as
    "equally consistent" with a difference no questionnaire made, and listed 8 messages
    that "touch it")."""
    bundle, _ = exported
    _tampered(bundle, tmp_path / "b.zip", _document("scheme.json", _weights))
    done = _verified(tmp_path / "b.zip", tmp_path)
    assert done.returncode == 1, done.stdout
    lines = _verdict_lines(done, bundle)
    assert lines[0].startswith(
        "不一致 different: 方案 scheme: 结果是按 test-county-round v1 (sha256:"
    ), done.stdout
    assert (
        "不是这些结果的方案, 以下每处不同都可能出自方案, 不再查找输入消息 (the results " in lines[0]
    )
    assert "not the scheme of these results" in lines[0]
    assert not any(blamed in done.stdout for blamed in _BLAMED_ON_INPUTS), done.stdout
    assert (
        'inputs.level_weights.基本满意: 审计包中为 "80", 重算为 "70" '
        '(inputs.level_weights.基本满意: bundle "80", recomputed "70")'
    ) in done.stdout


def test_a_scheme_changed_with_the_hash_its_results_name_is_said_too(
    exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """The forger also made the results name the new scheme's hash: the component's values
    that the scheme states (a level's weight) are said to be the scheme's, per unit."""
    bundle, facts = exported

    def both(entries: Entries) -> None:
        _document("scheme.json", _weights)(entries)
        scheme_hash = "sha256:" + hashlib.sha256(entries["scheme.json"]).hexdigest()
        _document("results.json", lambda r: r["scheme"].update(scheme_hash=scheme_hash))(entries)

    _tampered(bundle, tmp_path / "b.zip", both)
    done = _verified(tmp_path / "b.zip", tmp_path)
    assert done.returncode == 1, done.stdout
    assert "方案 scheme: 结果是按" not in done.stdout
    said = [line for line in done.stdout.splitlines() if line.startswith("    方案 scheme: ")]
    assert len(said) == len(facts["unit_ids"]), done.stdout
    assert all(
        line.startswith(
            '    方案 scheme: inputs.level_weights.基本满意 在审计包的 scheme.json 中是 "70" '
            '(level_weights.基本满意), 在其结果中是 "80"'
        )
        and "结果不是按其所称的方案计算的, 任何输入消息都无法解释 (" in line
        and 'inputs.level_weights.基本满意 is "70" in the bundle\'s scheme.json' in line
        and '"80" in its results' in line
        and "no input message can explain it" in line
        for line in said
    )
    assert not any(blamed in done.stdout for blamed in _BLAMED_ON_INPUTS), done.stdout


def test_a_changed_result_shows_what_the_bundle_and_the_recomputation_say(
    exported: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """A unit's score edited in results.json: the unit, the field and both values (it said
    `fields score` and nothing of what either score was)."""
    bundle, facts = exported
    second = facts["unit_ids"][1]

    def score(results: dict[str, Any]) -> None:
        (unit,) = [u for u in results["units"] if u["unit_id"] == second]
        assert unit["score"] == "88.00"
        unit["score"] = "98.00"

    _tampered(bundle, tmp_path / "b.zip", _document("results.json", score))
    done = _verified(tmp_path / "b.zip", tmp_path)
    assert done.returncode == 1, done.stdout
    head, values = _verdict_lines(done, bundle)[:2]
    assert head.startswith("单位 unit ") and second in head
    assert head.endswith(": 不同 different — 字段 fields score")
    assert values == (
        '  字段 values: score: 审计包中为 "98.00", 重算为 "88.00" '
        '(score: bundle "98.00", recomputed "88.00")'
    )


def _survey_lines(change: Callable[[list[bytes]], None]) -> Callable[[Entries], None]:
    def edit(entries: Entries) -> None:
        lines = entries["messages/survey.jsonl"].splitlines(keepends=True)
        change(lines)
        entries["messages/survey.jsonl"] = b"".join(lines)

    return edit


def _swap(lines: list[bytes]) -> None:
    lines[1], lines[2] = lines[2], lines[1]


def _other_campaign(entries: Entries) -> None:
    """The results (and the manifest's campaign) of a campaign the logs do not hold."""
    other = "1b4e28ba-2fa1-41d2-883f-0016d3cca427"
    _document("results.json", lambda r: r.update(campaign_id=other))(entries)
    _document("manifest.json", lambda m: m["about"].update(campaign_id=other))(entries)


TAMPERS: list[tuple[str, Callable[[Entries], None], int, str]] = [
    (
        "a message removed",
        _survey_lines(lambda lines: lines.pop(1)),
        2,
        "有消息缺失或顺序错乱 (line ",
    ),
    ("two messages swapped", _survey_lines(_swap), 2, "a message is missing or out of order"),
    (
        "the results of another campaign",
        _other_campaign,
        1,
        "不一致 different: 审计包的消息中, 评议活动 1b4e28ba-2fa1-41d2-883f-0016d3cca427 "
        "第 1 轮没有单位 (其 registry 日志没有开启该评议活动, 或未登记任何单位, "
        "或该轮超出其周期); 其结果却有 ",
    ),
]


@pytest.mark.parametrize(
    ("change", "code", "said"), [t[1:] for t in TAMPERS], ids=[t[0] for t in TAMPERS]
)
def test_every_tamper_is_different_or_refused(
    exported: tuple[Path, dict[str, Any]],
    tmp_path: Path,
    change: Callable[[Entries], None],
    code: int,
    said: str,
) -> None:
    bundle, _ = exported
    _tampered(bundle, tmp_path / "b.zip", change)
    done = _verified(tmp_path / "b.zip", tmp_path)
    assert done.returncode == code, done.stdout
    assert said in done.stdout


@pytest.mark.parametrize("what", ["0 bytes", "cut in half", "a folder"])
def test_what_is_no_bundle_is_refused_in_one_line(
    exported: tuple[Path, dict[str, Any]], tmp_path: Path, what: str
) -> None:
    bundle, _ = exported
    target = tmp_path / "b.zip"
    if what == "a folder":
        target.mkdir()
    else:
        content = bundle.read_bytes()
        target.write_bytes(b"" if what == "0 bytes" else content[: len(content) // 2])
    done = _verified(target, tmp_path)
    assert done.returncode == 2, done.stdout
    (refusal,) = [line for line in done.stdout.splitlines() if "sha256" not in line]
    assert refusal.startswith(
        "审计包无法使用 bundle refused: 不是可读取的审计包 (not a readable bundle: "
    )
