"""Plain log lines (embedded mode, `log_json` off) keep a record's fields: a consumer's
failure names the consumer, its upstream and the reason, as the JSON line does."""

from __future__ import annotations

import logging

from shared.observability import PlainFormatter


def _record(**extra: object) -> logging.LogRecord:
    record = logging.LogRecord(
        "shared.messaging.consumer", logging.ERROR, __file__, 1, "consumer failure", None, None
    )
    record.__dict__.update(extra)
    return record


def test_a_records_fields_follow_its_message() -> None:
    line = PlainFormatter().format(
        _record(consumer="scoring-survey", upstream="survey", reason="无法解析消息")
    )
    assert "ERROR shared.messaging.consumer: consumer failure" in line
    assert line.endswith("consumer=scoring-survey upstream=survey reason=无法解析消息")


def test_a_record_without_fields_is_its_message_alone() -> None:
    line = PlainFormatter().format(_record(trace_id=None, span_id=None))
    assert line.endswith("shared.messaging.consumer: consumer failure")
