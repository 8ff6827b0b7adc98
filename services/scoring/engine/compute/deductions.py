"""Deduction rules: points per finding, complaint, rectification order or task, each rule
capped, each item shown with what it cost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.scoring.engine.compute.arith import ZERO, rounded, text
from services.scoring.engine.compute.round_facts import RoundFacts
from services.scoring.engine.scheme.parts import (
    Arithmetic,
    ComplaintsRule,
    FindingsRule,
    RectificationRule,
    TasksRule,
)

Rule = FindingsRule | ComplaintsRule | RectificationRule | TasksRule


def deduction(rule: Rule, facts: RoundFacts, unit_id: str, arith: Arithmetic) -> dict[str, Any]:
    """{"code","name","formula","points","uncapped","cap","items"}: points is the rounded,
    capped amount deducted."""
    items = _items(rule, facts, unit_id)
    uncapped = sum((Decimal(i["points"]) for i in items), ZERO)
    amount = uncapped if rule.cap is None else min(uncapped, rule.cap)
    return {
        "code": rule.code,
        "name": rule.name,
        "formula": rule.formula,
        "points": text(rounded(amount, arith)),
        "uncapped": text(rounded(uncapped, arith)),
        "cap": text(rule.cap),
        "items": items,
    }


def _items(rule: Rule, facts: RoundFacts, unit_id: str) -> list[dict[str, Any]]:
    if isinstance(rule, FindingsRule):
        return _findings(rule, facts.of("findings", unit_id))
    if isinstance(rule, ComplaintsRule):
        return _complaints(rule, facts.of("complaints", unit_id))
    if isinstance(rule, RectificationRule):
        return _rectification(rule, facts.of("rectification", unit_id))
    return _tasks(rule, facts.of("tasks", unit_id))


def _findings(rule: FindingsRule, findings: list[Any]) -> list[dict[str, Any]]:
    items = []
    for f in sorted(findings, key=lambda f: f["finding_id"]):
        if rule.methods and f["method"] not in rule.methods:
            continue
        if rule.use_recorded and f["deduction"] is not None:
            points, basis = Decimal(f["deduction"]), "recorded"
        elif f["severity"] is not None:
            points, basis = rule.per_severity.get(f["severity"], ZERO), "severity"
        else:
            points, basis = rule.unrated, "unrated"
        items.append(
            {
                "finding_id": f["finding_id"],
                "method": f["method"],
                "severity": f["severity"],
                "basis": basis,
                "points": text(points),
            }
        )
    return items


def _complaints(rule: ComplaintsRule, complaints: list[Any]) -> list[dict[str, Any]]:
    items = []
    for c in sorted(complaints, key=lambda c: c["complaint_id"]):
        if rule.channels and c["channel"] not in rule.channels:
            continue
        if c["outcome"] not in rule.per_outcome:
            continue
        items.append(
            {
                "complaint_id": c["complaint_id"],
                "channel": c["channel"],
                "outcome": c["outcome"],
                "points": text(rule.per_outcome[c["outcome"]]),
            }
        )
    return items


def _rectification(rule: RectificationRule, orders: list[Any]) -> list[dict[str, Any]]:
    items = []
    for o in sorted(orders, key=lambda o: o["order_id"]):
        points = rule.per_status.get(o["status"], ZERO)
        points += sum((rule.per_escalation.get(s, ZERO) for s in o["escalations"]), ZERO)
        if o["rerating"] is not None:
            points += rule.per_rerating.get(o["rerating"], ZERO)
        if points:
            items.append(
                {
                    "order_id": o["order_id"],
                    "status": o["status"],
                    "escalations": list(o["escalations"]),
                    "rerating": o["rerating"],
                    "points": text(points),
                }
            )
    return items


def _tasks(rule: TasksRule, tasks: list[Any]) -> list[dict[str, Any]]:
    items = []
    for t in sorted(tasks, key=lambda t: t["task_id"]):
        points = ZERO if t["completed"] else rule.per_incomplete
        points += rule.per_accountability * t["accountability"]
        if points:
            items.append(
                {
                    "task_id": t["task_id"],
                    "completed": t["completed"],
                    "accountability": t["accountability"],
                    "points": text(points),
                }
            )
    return items
