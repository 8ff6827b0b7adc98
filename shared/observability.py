"""JSON logs and OpenTelemetry tracing, configured once per process."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from pythonjsonlogger.json import JsonFormatter

from shared.errors import ServiceCannotStart

_configured = False


class _TraceIds(logging.Filter):
    """Puts the current trace and span ids on every record so logs join up with traces."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = f"{ctx.trace_id:032x}" if ctx.is_valid else None
        record.span_id = f"{ctx.span_id:016x}" if ctx.is_valid else None
        return True


_CANNOT_START = f"{ServiceCannotStart.__module__}.{ServiceCannotStart.__qualname__}: "


class _StartFailureInOneLine(logging.Filter):
    """uvicorn logs a failed start-up as the whole traceback of the lifespan's error; a start
    given up on purpose (`ServiceCannotStart`: NATS out of reach for as long as the service
    was set to wait) is said in its own one line instead, which is all an operator needs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "uvicorn.error" or record.levelno < logging.ERROR:
            return True
        message = record.getMessage()
        if not message.startswith("Traceback"):
            return True
        last = message.rstrip().rsplit("\n", 1)[-1]
        if last.startswith(_CANNOT_START):
            record.msg, record.args = f"cannot start: {last.removeprefix(_CANNOT_START)}", ()
        return True


class _NoTerminalColours(logging.Filter):
    """uvicorn gives its records a `color_message` (the message with ANSI escapes for a
    terminal), which became a field of every JSON line and a `key=value` of every plain
    one: escape codes in a log store, and the message twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("color_message", None)
        return True


class JsonLines(JsonFormatter):
    """`time` in ISO 8601 with its offset (UTC): logging's default, `2026-12-01 08:51:02,464`
    in the host's local time with no zone, is ambiguous to a log store and across hosts."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "trace_id",
    "span_id",
}


class PlainFormatter(logging.Formatter):
    """Human-readable lines (embedded mode, a terminal) that keep what the JSON lines carry
    as fields: a record's `extra` values follow its message as key=value, so that
    "consumer failure" names the consumer and the reason there too."""

    def __init__(self) -> None:
        # No service name: embedded mode runs every service in one process, and the
        # logger's name (services.survey…) says which one speaks.
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = [
            f"{key}={value}"
            for key, value in vars(record).items()
            if key not in _STANDARD and not key.startswith("_")
        ]
        return " ".join([line, *extras]) if extras else line


def log_handler(service: str, json_logs: bool = True) -> logging.Handler:
    """What every record of the process goes through: stderr, one line a record."""
    handler = logging.StreamHandler(sys.stderr)
    if json_logs:
        handler.setFormatter(
            JsonLines(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service},
                json_ensure_ascii=False,
            )
        )
    else:
        handler.setFormatter(PlainFormatter())
    handler.addFilter(_NoTerminalColours())
    handler.addFilter(_TraceIds())
    handler.addFilter(_StartFailureInOneLine())
    return handler


def configure(service: str, level: str = "INFO", json_logs: bool = True) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.handlers[:] = [log_handler(service, json_logs)]
    root.setLevel(level.upper())
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(
            TracerProvider(resource=Resource.create({"service.name": f"pingyi-{service}"}))
        )
