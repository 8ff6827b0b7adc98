"""Voters' keys and codes (网上评议验证): who a voter is (a keyed hash of the number, never
the number), and the code texted to a mobile for a vote on a wave whose `voter_check` is
`sms_code` (`request_code`; where codes live and how they are sent: services/survey/
verification). `VotingCommands.vote` (voting.py) checks a code in the wave's turn and uses it
once the vote is saved.

The voter key comes from PINGYI_SURVEY_VOTER_KEY (production must set it), else a file
`survey-voter-key` beside the embedded SQLite store; without one, voting answers 503.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore

from services.survey.application.base import SurveyBase
from services.survey.application.voters import (
    VOTER_KEY_ENV,
    VOTER_KEY_FILE,
    VotingUnavailable,
    normalise_voter,
    require_voting_open,
)
from services.survey.domain import NO_SUCH_WAVE, InvalidQuestionnaire, NotPublicWave, Wave
from services.survey.domain.errors import (
    CodeNotNeeded,
    InvalidCodeRequest,
    TooManyCodes,
    WaveNotFound,
)
from services.survey.verification import (
    CodeBook,
    Limits,
    Message,
    Sender,
    SmsUnavailable,
    VoterCheck,
    code_text,
    limits_from,
    new_code,
    open_code_book,
    open_sender,
)
from services.survey.verification.checks import code_refusal, mobile_number
from shared.secrets import service_secret


class VoterCodes(SurveyBase):
    """Voters' hashes, the public waves they vote on, and the codes texted to them."""

    voter_key_env: ClassVar[str] = VOTER_KEY_ENV

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.code_clock: Callable[[], float] = time.time
        """When codes are sent and checked (seconds since the epoch): their expiry and the
        rate limits are counted by it."""
        self.code_limits: Limits = limits_from(self.env)
        self.sms_sender: Sender | None = open_sender(self.env)
        self._code_book: CodeBook | None = None
        self._code_book_guard = threading.Lock()

    def close(self) -> None:
        if self._code_book is not None:
            self._code_book.close()
        super().close()

    def code_book(self) -> CodeBook:
        """Where codes live (`open_code_book`), opened on first use."""
        with self._code_book_guard:
            if self._code_book is None:
                datastore = getattr(self.recorder, "datastore", None)
                postgres = datastore if isinstance(datastore, PostgresDatastore) else None
                self._code_book = open_code_book(self.env, postgres)
            return self._code_book

    def code_hash(self, wave_id: UUID, voter_hash: str, code: str) -> str:
        """A code as it is kept (and as a vote's Idempotency-Key record remembers it): keyed,
        and bound to the wave and the voter."""
        message = f"code|{wave_id}|{voter_hash}|{code}".encode()
        return hmac.new(self._voter_secret(), message, hashlib.sha256).hexdigest()

    def request_code(self, wave_id: UUID, voter: str) -> dict[str, Any]:
        """Text a new code to the voter's mobile for a vote on the wave (any code sent
        before for it is dead). The answer is the same whether or not the number has voted:
        nothing here reads votes. Refused: a wave that needs no code (409
        `code_not_needed`), a wave not taking votes now, an ID number (a code goes to a
        phone), and past the limits (429 `too_many_codes` with Retry-After)."""
        phone = _code_recipient(voter)
        wave = self.public_wave(wave_id)
        require_voting_open(wave, datetime.now(UTC))
        if wave.voter_check != VoterCheck.SMS_CODE:
            raise CodeNotNeeded(
                "本次评议投票无需短信验证码 (votes on this wave need no code)", field="wave_id"
            )
        sender = self.sms_sender
        if sender is None:
            raise SmsUnavailable(
                "短信验证暂不可用，请稍后再试 (text messages are not configured: no SMS gateway)"
            )
        voter_hash = self.voter_hash("phone:" + phone)
        code = new_code()
        hashed = self.code_hash(wave.id, voter_hash, code)
        now = self.code_clock()
        limits = self.code_limits
        wait = self.code_book().issue(str(wave.id), voter_hash, hashed, now, limits)
        if wait is not None:
            refused = TooManyCodes(
                f"获取验证码过于频繁，请{math.ceil(wait)}秒后再试 (too many codes asked for "
                f"this number or this wave; retry in {math.ceil(wait)} seconds)",
                field="voter",
            )
            refused.retry_after = max(1, math.ceil(wait))
            raise refused
        minutes = int(limits.ttl_seconds // 60)
        try:
            sender.send(Message(phone, code_text(code, wave.name[:40], minutes)))
        except SmsUnavailable:
            self.code_book().withdraw(str(wave.id), voter_hash, hashed, now)
            raise
        return {
            "wave_id": str(wave.id),
            "sent_to": f"{phone[:3]}****{phone[-4:]}",
            "expires_in_seconds": int(limits.ttl_seconds),
            "resend_after_seconds": 60,
        }

    def _require_code(self, wave_id: UUID, voter_hash: str, hashed: str) -> None:
        """The voter's valid code for the wave, or `InvalidCode` saying why (a wrong one
        spends one of its tries)."""
        check = self.code_book().check(str(wave_id), voter_hash, hashed, self.code_clock())
        if check.outcome != "valid":
            raise code_refusal(check)

    def _voter_secret(self) -> bytes:
        secret = getattr(self, "_voter_key", None)
        if secret is None:
            found = service_secret(self.env, VOTER_KEY_ENV, VOTER_KEY_FILE)
            if found is None:
                raise VotingUnavailable(
                    "网上投票暂不可用，请稍后再试 (online voting is not configured: no voter key)"
                )
            secret = found.encode("utf-8")
            self._voter_key: bytes | None = secret
        return secret

    def voter_hash(self, voter: str) -> str:
        return hmac.new(self._voter_secret(), voter.encode("utf-8"), hashlib.sha256).hexdigest()

    def public_wave(self, wave_id: UUID) -> Wave:
        wave: Wave | None
        try:
            wave = self.wave(wave_id)
        except WaveNotFound:
            wave = None
        if wave is None or not wave.public:
            # One answer for a wave that does not exist and a private one: private waves
            # stay unseen.
            raise NotPublicWave(NO_SUCH_WAVE, field="wave_id")
        return wave


def _code_recipient(voter: str) -> str:
    """The mobile number a code goes to. The voter checks are a vote's, and refuse as a
    vote is refused (`invalid_questionnaire`); a code request is no questionnaire, so its
    refusal is named for what it is, with the same field and words."""
    try:
        return mobile_number(normalise_voter(voter))
    except InvalidQuestionnaire as refused:
        raise InvalidCodeRequest(refused.reason, field=refused.field, **refused.context) from None
