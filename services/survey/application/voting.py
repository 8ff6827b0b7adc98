"""Online public voting (网上公开评议, seed 004's 大数据评议): anyone may vote on the waves an
office opens to the public, once per unit per campaign round. A voter is known only by an
HMAC-SHA256 of the normalised phone or ID number under the survey's voter key; the number
itself is never stored or logged.

The voter key comes from PINGYI_SURVEY_VOTER_KEY (production must set it), else a file
`survey-voter-key` beside the embedded SQLite store; without one, voting answers 503.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.survey.application.base import SurveyBase
from services.survey.domain import (
    AlreadyVoted,
    Checker,
    InvalidQuestionnaire,
    NotPublicWave,
    Response,
    VoteClaim,
    Wave,
)
from shared.contracts.survey import Channel
from shared.errors import PingyiError
from shared.secrets import service_secret

VOTER_KEY_ENV = "PINGYI_SURVEY_VOTER_KEY"
VOTER_KEY_FILE = "survey-voter-key"
VOTE_ATTEMPTS = 8
PUBLIC_ACTOR = "public:online-vote"
PUBLIC_VOTERS = uuid5(NAMESPACE_URL, "https://pingyi.example/survey/public-voters")
"""Who the wave counts public votes against: never an agency's quota."""
_SEPARATORS = re.compile(r"[\s\-()（）]")
_CHINA_MOBILE = re.compile(r"^(?:\+?86|0086)?(1\d{10})$")
_ID_NUMBER = re.compile(r"^\d{17}[\dx]$")


class VotingUnavailable(PingyiError):
    status_code = 503
    code = "voting_unavailable"
    retry_after = 60


class VotingBusy(PingyiError):
    """Votes on one wave are written one after another (each is checked against the
    wave's close); past a few retries the caller is asked to try again."""

    status_code = 503
    code = "voting_busy"
    retry_after = 1


def normalise_voter(value: str) -> str:
    """A mainland mobile number (with or without +86) or an 18-character ID number."""
    cleaned = _SEPARATORS.sub("", value).lower()
    mobile = _CHINA_MOBILE.match(cleaned)
    if mobile:
        return "phone:" + mobile.group(1)
    if _ID_NUMBER.match(cleaned):
        return "id:" + cleaned
    raise InvalidQuestionnaire(
        "a mobile number (11 digits) or an 18-character ID number", field="voter"
    )


class VotingCommands(SurveyBase):
    voter_key_env: ClassVar[str] = VOTER_KEY_ENV

    def _voter_secret(self) -> bytes:
        secret = getattr(self, "_voter_key", None)
        if secret is None:
            found = service_secret(self.env, VOTER_KEY_ENV, VOTER_KEY_FILE)
            if found is None:
                raise VotingUnavailable("online voting is not configured (no voter key)")
            secret = found.encode("utf-8")
            self._voter_key: bytes | None = secret
        return secret

    def voter_hash(self, voter: str) -> str:
        return hmac.new(self._voter_secret(), voter.encode("utf-8"), hashlib.sha256).hexdigest()

    def public_wave(self, wave_id: UUID) -> Wave:
        wave = self.wave(wave_id)
        if not wave.public:
            # The same answer as for a wave that does not exist: private waves stay unseen.
            raise NotPublicWave("no such public wave", field="wave_id")
        return wave

    def vote(self, wave_id: UUID, voter: str, ratings: dict[str, str]) -> dict[str, Any]:
        voter_hash = self.voter_hash(normalise_voter(voter))
        self.public_wave(wave_id)  # a private wave is not found before anything waits
        with self.wave_turn(wave_id):
            for _ in range(VOTE_ATTEMPTS):
                wave = self.public_wave(wave_id)
                wave.require_open()
                aggregates = self._ballot(wave, voter_hash, ratings)
                try:
                    self.save(*aggregates)
                except IntegrityError:
                    self._refuse_if_voted(wave, voter_hash, ratings)
                    continue  # another replica wrote the wave first: try again
                response = aggregates[1]
                return {
                    "wave_id": str(wave.id),
                    "response_id": str(response.id),
                    "units": len(ratings),
                }
        raise VotingBusy("too many votes at this moment; retry in a second")

    def _ballot(self, wave: Wave, voter_hash: str, ratings: dict[str, str]) -> list[Any]:
        now = datetime.now(UTC)
        questionnaire: dict[str, Any] = {
            "questionnaire_id": f"vote-{uuid4()}",
            "collected_at": now,
            "survey_point": None,
            "channel": Channel.ONLINE.value,
            "group": None,
            "district_id": None,
            "device": None,
            "respondent_id": None,
            "ratings": ratings,
            "dimension_ratings": {},
            "opinions": [],
            "recommended_key_targets": [],
        }
        found = Checker(wave, now).problems(questionnaire)
        if found:
            first = found[0]
            raise InvalidQuestionnaire(first.reason, field=first.field, code_detail=first.code)
        response = Response(
            wave_id=wave.id,
            questionnaire_id=questionnaire["questionnaire_id"],
            survey_point=None,
            collected_at=now,
            ratings=ratings,
            actor=PUBLIC_ACTOR,
            details={"channel": Channel.ONLINE.value},
        )
        round_key = self.round_key(wave)
        claims = [
            VoteClaim.claim(
                round_key, voter_hash, unit_id, wave_id=wave.id, response_id=response.id
            )
            for unit_id in sorted(ratings)
        ]
        wave.accept_batch(response.id, PUBLIC_VOTERS, 1, 0, {"": 1}, wave.integrity_state)
        return [wave, response, *claims]

    @staticmethod
    def round_key(wave: Wave) -> str:
        if wave.campaign_id is None:
            return f"wave|{wave.id}"
        return f"campaign|{wave.campaign_id}|{wave.round}"

    def _refuse_if_voted(self, wave: Wave, voter_hash: str, ratings: dict[str, str]) -> None:
        round_key = self.round_key(wave)
        voted = []
        for unit_id in sorted(ratings):
            try:
                self.repository.get(VoteClaim.create_id(round_key, voter_hash, unit_id))
            except AggregateNotFoundError:
                continue
            voted.append(unit_id)
        if voted:
            raise AlreadyVoted(
                "you have already voted on these units in this round (一人一单位一票)",
                field="ratings",
                unit_ids=voted,
            )
