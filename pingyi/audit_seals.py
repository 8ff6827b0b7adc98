"""Whether the logs an audit bundle is exported from, or a replay read, are still what the
services sealed (`pingyi audit export`, `pingyi replay --verify`). A bundle holds messages,
not stored rows, so `audit verify` can
only recompute from what it was given: a bundle exported from an edited log verified
"identical" and said nothing of the edit. Export now checks each log it reads against its
hash chain and signed checkpoints first (what `pingyi audit verify-log` does), refuses a log
changed at or below the positions it exports unless told to go on (`--allow-tampered`, to
find out what an edit moved), and states what it found in the manifest (`about.seals`),
which `audit verify` shows beside its verdict.

`about.seals` is `{"checked": false, "reason": …}` when the logs could not be checked (no
key: memory mode, or a production deployment whose auditor holds no public key), else
`{"checked": true, "logs": {origin: …}}`, each log one of
- `{"intact": true, "sealed_to": p}`: no row changed; the exported rows sealed up to `p`
  (the exported position itself once the sealer has caught up);
- `{"intact": false, "position": p, "problem": …}`: the first row found changed, removed or
  added;
with `"notes"` where the check has more to say (production: checkpoints only in the table,
not on the seals stream; the stream not read).
It is the exporter's statement, kept in the bundle as the bundle's other parts are: the
SHA-256 the export prints is what ties it to the logs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pingyi.audit_words import said

if TYPE_CHECKING:  # `audit verify` imports this module, and never the settings
    from shared.settings import CommonSettings


class TamperedLog(Exception):
    """A log changed at or below the positions the bundle would hold."""


def seals_record(
    common: CommonSettings, read_to: Mapping[str, int], *, allow_tampered: bool = False
) -> dict[str, Any]:
    """Every log with exported messages checked against its seals; `about.seals`. Raises
    `TamperedLog` (nothing written yet) for a finding at or below a log's exported position,
    unless `allow_tampered`."""
    from pingyi.audit_log import CannotVerify, verify_logs

    exported = {origin: stop for origin, stop in read_to.items() if stop}
    if not exported:
        return {"checked": False, "reason": "no message exported"}
    try:
        verdicts = verify_logs(common, sorted(exported))
    except CannotVerify as error:
        return {"checked": False, "reason": str(error)}
    logs: dict[str, Any] = {}
    for verdict in verdicts:
        stop = exported[verdict.service]
        found = verdict.finding
        notes = _notes(verdict)
        if found is None:
            logs[verdict.service] = {
                "intact": True,
                "sealed_to": min(stop, _sealed_to(verdict.sealed, verdict.unsealed_after)),
                **notes,
            }
            continue
        logs[verdict.service] = {
            "intact": False,
            "position": found.position,
            "problem": found.problem,
            **notes,
        }
        if found.position <= stop and not allow_tampered:
            raise TamperedLog(_tampered(verdict.service, found.position, found.problem, stop))
    return {"checked": True, "logs": logs}


def clipped(record: Mapping[str, Any], read_to: Mapping[str, int]) -> dict[str, Any]:
    """The record with each intact log's `sealed_to` no further than the position the
    bundle's messages reach (checked before the engine ran, against the logs' ends)."""
    if not record.get("checked"):
        return dict(record)
    logs = {
        origin: {**log, "sealed_to": min(log["sealed_to"], read_to.get(origin, 0))}
        if log["intact"]
        else log
        for origin, log in record["logs"].items()
    }
    return {**record, "logs": logs}


def _notes(verdict: Any) -> dict[str, list[str]]:
    """What `verify-log` would add under the log's line, if anything."""
    from pingyi.audit_log import only_in_table

    notes = list(verdict.notes)
    if verdict.intact and verdict.only_in_table:
        notes.append(only_in_table(verdict).strip())
    return {"notes": notes} if notes else {}


def _sealed_to(sealed: int, last_checkpoint: int | None) -> int:
    return 0 if not sealed or last_checkpoint is None else last_checkpoint


def _tampered(origin: str, position: int, problem: str, stop: int) -> str:
    return said(
        f"{origin} 的日志在位置 {position} 处与封存的不符 ({problem}), 而审计包要收入它到位置"
        f" {stop} 的消息: 未写入任何内容。请运行 pingyi audit verify-log 查看; 如仍要导出"
        " (例如为查明这处改动改变了哪些分数), 请加 --allow-tampered",
        f"the {origin} log differs from what was sealed at position {position} ({problem}), "
        f"and the bundle would hold its messages to position {stop}: nothing written. Run "
        "pingyi audit verify-log; to export all the same (to find out which scores the edit "
        "moved, say), pass --allow-tampered",
    )


def seals_lines(about: Mapping[str, Any]) -> list[str]:
    """What the manifest says of the logs' seals, one line each, for export and verify to
    print: nothing for a bundle written before exports checked them."""
    record = about.get("seals")
    if not isinstance(record, dict):
        return []
    if not record.get("checked"):
        reason = record.get("reason")
        return [
            "注意 note: "
            + said(
                f"导出时没有核对日志的封存 ({reason}): 本审计包只能说明结果是否出自其中的消息,"
                " 不能说明这些消息是否仍是各服务写下的",
                f"the logs' seals were not checked at export ({reason}): this bundle tells"
                " whether its results follow from its messages, not whether those are still what"
                " the services wrote",
            )
        ]
    read_to = about.get("read_to")
    read_to = read_to if isinstance(read_to, dict) else {}
    logs = record.get("logs")
    if not isinstance(logs, dict):  # a bundle's manifest is the bundle's word, not ours
        return ["seals: " + said("封存记录无法读取", f"seal record unreadable: {logs!r}"[:300])]
    return [
        line
        for origin in _in_order(logs)
        for line in [_log_line(origin, logs[origin], read_to.get(origin)), *_noted(logs[origin])]
    ]


def _noted(log: Any) -> list[str]:
    notes = log.get("notes") if isinstance(log, dict) else None
    return [f"  note: {note}" for note in notes] if isinstance(notes, list) else []


def _in_order(logs: Mapping[str, Any]) -> list[str]:
    """The bundle's order of origins (registry, survey, inspection, scoring), as export
    lists their logs."""
    from pingyi.audit_bundle import ORIGINS

    return sorted(logs, key=lambda o: (ORIGINS.index(o) if o in ORIGINS else len(ORIGINS), o))


def _log_line(origin: str, log: Any, read_to: Any) -> str:
    if not isinstance(log, dict):
        return f"{origin}: " + said("封存记录无法读取", f"seal record unreadable: {log!r}")
    if log.get("intact") is True:
        sealed_to = log.get("sealed_to")
        if not sealed_to and read_to:
            return "警告 WARNING: " + said(
                f"{origin}: 导出时它到位置 {read_to} 的消息没有一条已封存: 无从核对 (日志的封存"
                "被删除, 或服务刚写下它们还没来得及封存)",
                f"{origin}: none of its messages to position {read_to} was sealed at export:"
                " nothing to check them against (its checkpoints removed, or written moments"
                " before the export)",
            )
        if sealed_to == read_to or read_to is None:
            return f"{origin}: " + said(
                f"导出时已核对封存, 到位置 {sealed_to} 未被改动",
                f"seals checked at export: unchanged to position {sealed_to}",
            )
        return "注意 note: " + said(
            f"{origin}: 导出时已核对封存, 到位置 {sealed_to} 未被改动; 位置 {sealed_to} 之后"
            f"到 {read_to} 的消息导出时尚未封存",
            f"{origin}: seals checked at export: unchanged to position {sealed_to}; its "
            f"messages after {sealed_to} to {read_to} were not sealed yet",
        )
    position, problem = log.get("position"), log.get("problem")
    if isinstance(read_to, int) and isinstance(position, int) and position > read_to:
        return "注意 note: " + said(
            f"{origin}: 日志在位置 {position} 处与封存的不符 ({problem}), 在审计包收入的位置"
            f" {read_to} 之后: 本审计包的消息不受影响",
            f"{origin}: the log differs from what was sealed at position {position} ({problem}),"
            f" after the bundle's last position {read_to}: its messages are not affected",
        )
    return "警告 WARNING: " + said(
        f"{origin}: 日志在位置 {position} 处与封存的不符 ({problem}): 本审计包收入了被改动的"
        "日志 (以 --allow-tampered 导出)",
        f"{origin}: the log differs from what was sealed at position {position} ({problem}):"
        " this bundle holds a tampered log (exported with --allow-tampered)",
    )


def replay_lines(record: Mapping[str, Any], stops: Mapping[str, int]) -> list[str]:
    """What `pingyi replay --verify` says of the logs it read (`seals_record` of each log to
    its end, `allow_tampered`): the verdicts before these lines say whether the scores follow
    from the logs as they are; these, whether the logs are still what was sealed."""
    if not record.get("checked"):
        reason = record.get("reason")
        return [
            "注意 note: "
            + said(
                f"没有核对日志的封存 ({reason}): 以上只说明分数是否出自日志现有的内容,"
                " 不能说明日志是否仍是各服务写下的",
                f"the logs' seals were not checked ({reason}): the verdicts above"
                " say whether the scores follow from the logs as they are, not whether those are"
                " still what the services wrote",
            )
        ]
    logs = record.get("logs") or {}
    return [
        line
        for origin in _in_order(logs)
        for line in [_replayed_line(origin, logs[origin], stops.get(origin)), *_noted(logs[origin])]
    ]


def _replayed_line(origin: str, log: Mapping[str, Any], end: int | None) -> str:
    if not log["intact"]:
        position, problem = log["position"], log["problem"]
        return "篡改 TAMPERED: " + said(
            f"{origin}: 日志在位置 {position} 处与封存的不符 ({problem}): 以上的重放读的是被改动"
            "的日志; 请运行 pingyi audit verify-log 查看",
            f"{origin}: the log differs from what was sealed at position {position} ({problem}):"
            " the replay above read an edited log; run pingyi audit verify-log",
        )
    sealed_to = log["sealed_to"]
    if not sealed_to and end:
        return "警告 WARNING: " + said(
            f"{origin}: 到位置 {end} 的日志没有一行已封存: 无从核对 (封存被删除, 或刚写下还没来得及"
            "封存)",
            f"{origin}: no row of its log to position {end} is sealed: nothing to check it"
            " against (its checkpoints removed, or written moments ago)",
        )
    if sealed_to == end:
        return f"{origin}: " + said(
            f"已核对封存, 到位置 {end} 未被改动", f"seals checked: unchanged to position {end}"
        )
    return "注意 note: " + said(
        f"{origin}: 已核对封存, 到位置 {sealed_to} 未被改动; 其后到 {end} 的行尚未封存",
        f"{origin}: seals checked: unchanged to position {sealed_to}; its rows after"
        f" {sealed_to} to {end} are not sealed yet",
    )


def tampered(record: Mapping[str, Any]) -> list[str]:
    """The origins whose logs differ from their seals."""
    logs = record.get("logs") or {}
    return [origin for origin in _in_order(logs) if not logs[origin]["intact"]]
