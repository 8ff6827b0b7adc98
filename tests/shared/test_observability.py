"""The log lines every process writes (`shared.observability.log_handler`): one JSON object
a line, without uvicorn's terminal-coloured copy of the message, dated unambiguously."""

from __future__ import annotations

import io
import json
import logging
from datetime import datetime

from shared.observability import log_handler


def _write(json_logs: bool, **extra: object) -> str:
    handler = log_handler("registry", json_logs)
    stream = io.StringIO()
    handler.setStream(stream)  # type: ignore[attr-defined]
    record = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, "Started server process [%d]", (4121,), None
    )
    record.__dict__.update(extra)
    handler.handle(record)
    return stream.getvalue()


def test_uvicorns_coloured_message_is_left_out() -> None:
    coloured = "Started server process [\x1b[36m%d\x1b[0m]"
    written = _write(True, color_message=coloured)
    [line] = written.splitlines()
    fields = json.loads(line)
    assert fields["message"] == "Started server process [4121]"
    assert "color_message" not in fields and "\\u001b" not in line, line
    plain = _write(False, color_message=coloured)
    assert "\x1b" not in plain and "color_message" not in plain, plain


def test_the_time_says_its_zone() -> None:
    fields = json.loads(_write(True))
    when = datetime.fromisoformat(fields["time"])
    assert when.utcoffset() is not None, fields["time"]
    assert fields["service"] == "registry" and fields["logger"] == "uvicorn.error"
