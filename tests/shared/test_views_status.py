"""How a views process's row reads in its API process's reports (shared/service/views_status.py)."""

from __future__ import annotations

from shared.service.views_status import _aged


def test_a_rows_age_is_added_to_the_millisecond_without_float_noise() -> None:
    """0.1 + 0.7 is 0.7999999999999999 in floats; /readyz showed such figures."""
    assert _aged({"seconds_since_caught_up": 0.1}, 0.7)["seconds_since_caught_up"] == 0.8
    assert _aged({"seconds_since_caught_up": None}, 0.7)["seconds_since_caught_up"] is None
