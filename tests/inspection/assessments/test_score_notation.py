"""A score typed in exponent notation (`1E+1`, which JSON and the API's decimals accept) is
kept, published and shown with digits, as a bulletin prints it; places typed stay typed."""

from __future__ import annotations

from decimal import Decimal

from services.inspection.integration import to_payload
from tests.inspection.assessments.test_domain import score


def test_a_score_in_exponent_notation_is_kept_with_digits() -> None:
    recorded = score(score=Decimal("1E+1"), maximum=Decimal("2E+1"))
    assert (str(recorded.score), str(recorded.maximum)) == ("10", "20")
    recorded.correct(
        score=Decimal("1.5E+1"), assessor=None, basis=None, evidence=None, reason="复核", actor="o"
    )
    assert str(recorded.score) == "15"
    published = [to_payload(e) for e in recorded.collect_events()]
    values = [p.model_dump(mode="json") for p in published if p is not None]
    assert [(v["score"], v.get("maximum", "20")) for v in values] == [("10", "20"), ("15", "20")]
    assert str(score(score=Decimal("8.50")).score) == "8.50"
