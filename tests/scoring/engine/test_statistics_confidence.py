"""`Statistics.confidence_problem`: the confidence a scheme states beside its intervals must be
a percentage and agree with `z`'s two-sided normal coverage (2Φ(z)−1) within half a point, or
every interval published says 95% of what is a 68% interval (z 1.0). A rule for new documents
only: a scheme registered with z 1.0 and 95% must still load for replay."""

from __future__ import annotations

import pytest

from services.scoring.engine.scheme import Scheme, builtin_schemes
from services.scoring.engine.scheme.parts import Statistics
from tests.scoring.engine.schemes import survey_only


@pytest.mark.parametrize(
    ("z", "confidence"),
    [("1.96", "95%"), ("1.0", "68%"), ("1.645", "90%"), ("2.576", "99%"), ("2", "95%")],
)
def test_a_confidence_that_z_gives_is_accepted(z: str, confidence: str) -> None:
    assert Statistics(z=z, confidence=confidence).confidence_problem() is None


def test_the_default_and_every_shipped_scheme_agree_with_their_z() -> None:
    assert Statistics().confidence_problem() is None
    shipped = builtin_schemes()
    assert shipped
    for key, scheme in shipped.items():
        assert scheme.statistics.confidence_problem() is None, key


def test_a_confidence_z_does_not_give_is_refused_with_z_s_own_coverage() -> None:
    said = Statistics(z="1.0", confidence="95%").confidence_problem()
    assert said == (
        "置信水平 95% 与 z 1.0 不符: z 1.0 的双侧正态覆盖率为 68.27% (confidence 95% "
        "disagrees with z 1.0, whose two-sided normal coverage 2Φ(z)−1 is 68.27%)"
    )
    assert Statistics(z="1.96", confidence="94%").confidence_problem() is not None  # 1 point


@pytest.mark.parametrize("confidence", ["很高", "0.95", "0%", "100%", "95", "约95%"])
def test_a_confidence_that_is_not_a_percentage_is_refused(confidence: str) -> None:
    said = Statistics(confidence=confidence).confidence_problem()
    assert said is not None and said.startswith("置信水平须为百分数, 如 95% (")


def test_a_scheme_stored_with_a_confidence_z_does_not_give_still_loads() -> None:
    """Why the rule is not a validator of `Statistics`: stored schemes are read back
    through the same model, and replay must still load them."""
    doc = survey_only(statistics={"z": "1.0", "confidence": "95%"})
    assert Scheme.from_document(doc).statistics.confidence == "95%"
