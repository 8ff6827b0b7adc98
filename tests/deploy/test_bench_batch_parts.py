"""The bench's two grains of survey's log hold the same questionnaires: parts cut from one
message per questionnaire read back as exactly those messages."""

from __future__ import annotations

from typing import Any

from bench.batch_parts import as_parts, as_singles
from shared.contracts import IntegrationMessage, parse_payload
from tests.survey.batch_log import numbered, opened, pushed, survey_log


def _payloads(messages: list[IntegrationMessage]) -> list[dict[str, Any]]:
    return [parse_payload(m).model_dump(mode="json") for m in messages]


def test_parts_cut_from_single_messages_read_back_as_them() -> None:
    singles = survey_log(parts=False)
    parts = as_parts(singles, size=16)
    assert _payloads(as_singles(parts)) == _payloads(singles)
    # 40 and 12 questionnaires in parts of 16; the public vote and the v2 one stay single
    kinds = [m.event_type for m in parts]
    assert kinds.count("survey.batch.recorded") == 3 + 1
    assert kinds.count("survey.response.recorded") == 2


def test_a_log_of_single_messages_is_left_as_it_is() -> None:
    singles = numbered([opened(), *pushed(parts=False)])
    assert as_singles(singles) == singles
