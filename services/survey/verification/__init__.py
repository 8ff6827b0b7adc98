"""Voter verification of public votes (网上评议验证): a wave opened to the public chooses
at opening whether a vote needs a code sent by text message to the voter's phone
(`voter_check`: `sms_code`, the default, or `none`, said explicitly and shown on the wave).

Where the codes live (`codes`), how they are sent (`sms`), and what the settings choose
(`open_code_book`, `open_sender`). The commands are `VotingCommands.request_code` and
`VotingCommands.vote`; docs/survey.md, *Voter verification*, says how a voter, an office
and an operator meet them."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from services.survey.verification.codes import (
    Check,
    CodeBook,
    Limits,
    PostgresCodeBook,
    SQLiteCodeBook,
)
from services.survey.verification.sms import (
    GatewaySender,
    LocalOutbox,
    Message,
    Sender,
    SmsUnavailable,
)
from shared.persistence.config import IN_MEMORY_MODULES

GATEWAY_URL_ENV = "PINGYI_SURVEY_SMS_GATEWAY_URL"
GATEWAY_TOKEN_ENV = "PINGYI_SURVEY_SMS_GATEWAY_TOKEN"
GATEWAY_TIMEOUT_ENV = "PINGYI_SURVEY_SMS_GATEWAY_TIMEOUT_SECONDS"
WAVE_HOURLY_ENV = "PINGYI_SURVEY_SMS_CODES_PER_WAVE_HOUR"
CODES_FILE = "survey-voter-codes.sqlite"
OUTBOX_FILE = "survey-sms-outbox.log"
CODE_DIGITS = 6


class VoterCheck(StrEnum):
    """What a public vote on the wave must carry besides the voter's number."""

    SMS_CODE = "sms_code"
    """A code sent to the voter's mobile by text message: the number is the voter's."""
    NONE = "none"
    """Nothing: any well-formed number votes (waves opened before codes existed, and waves
    an office opened so on purpose)."""


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_text(code: str, wave_name: str, minutes: int) -> str:
    return (
        f"【评议】您正在参加“{wave_name}”网上评议，验证码{code}，{minutes}分钟内有效。"
        "请勿告诉他人。"
    )


def _embedded_dir(env: Mapping[str, str]) -> Path | None:
    database = env.get("SQLITE_DBNAME") or ""
    if env.get("PERSISTENCE_MODULE") != "eventsourcing.sqlite" or not database:
        return None
    if database.startswith((":memory:", "file:")):
        return None
    return Path(database).parent


def open_code_book(env: Mapping[str, str], datastore: object | None) -> CodeBook:
    """PostgreSQL's tables where the event store is PostgreSQL (`datastore`), a file beside
    the embedded store, else an in-memory database that lives with the application."""
    if datastore is not None and env.get("POSTGRES_DBNAME"):
        schema = env.get("POSTGRES_SCHEMA") or "public"
        return PostgresCodeBook(datastore, schema, "survey")
    directory = _embedded_dir(env)
    return SQLiteCodeBook(None if directory is None else directory / CODES_FILE)


def open_sender(env: Mapping[str, str]) -> Sender | None:
    """The gateway where one is set; else the local outbox, in embedded and memory mode
    only; else none (production without a gateway: codes cannot be sent)."""
    url = env.get(GATEWAY_URL_ENV)
    if url:
        timeout = float(env.get(GATEWAY_TIMEOUT_ENV) or 5.0)
        return GatewaySender(url, env.get(GATEWAY_TOKEN_ENV) or None, timeout)
    if env.get("PERSISTENCE_MODULE") in IN_MEMORY_MODULES:
        return LocalOutbox(None)
    directory = _embedded_dir(env)
    if directory is not None:
        return LocalOutbox(directory / OUTBOX_FILE)
    return None


def limits_from(env: Mapping[str, str]) -> Limits:
    per_wave = env.get(WAVE_HOURLY_ENV)
    return Limits() if not per_wave else Limits(per_wave_hour=int(per_wave))


__all__ = [
    "CODE_DIGITS",
    "Check",
    "CodeBook",
    "GatewaySender",
    "Limits",
    "LocalOutbox",
    "Message",
    "Sender",
    "SmsUnavailable",
    "VoterCheck",
    "code_text",
    "limits_from",
    "new_code",
    "open_code_book",
    "open_sender",
]
