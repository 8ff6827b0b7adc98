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
import unicodedata
from datetime import UTC, date, datetime
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
    WaveClosedError,
    canonical_answers,
    refusal,
)
from services.survey.domain.errors import NotOpenYet, SurveyError
from shared.contracts.registry import china_date
from shared.contracts.survey import Channel
from shared.errors import UnavailableError
from shared.idempotency import run_idempotent
from shared.secrets import service_secret

VOTER_KEY_ENV = "PINGYI_SURVEY_VOTER_KEY"
VOTER_KEY_FILE = "survey-voter-key"
VOTE_ATTEMPTS = 8
PUBLIC_ACTOR = "public:online-vote"
PUBLIC_VOTERS = uuid5(NAMESPACE_URL, "https://pingyi.example/survey/public-voters")
"""Who the wave counts public votes against: never an agency's quota."""
_SEPARATORS = re.compile(r"[\s()\-\u2010-\u2015\u2212\u2e3a\u2e3b]")
"""What people write inside a number (after NFKC: full-width forms are plain ones). Every
dash, not only the hyphen-minus: a Chinese input method types 138—0013—8000 and a number
copied from a web page often carries ‐ or –; NFKC leaves those as they are."""
_CHINA_MOBILE = re.compile(r"(?:\+86|86|0086)?(1[3-9][0-9]{9})")
_ID_NUMBER = re.compile(r"([1-9][0-9]{5})([0-9]{8})([0-9]{3})([0-9x])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10x98765432"
"""ISO 7064 MOD 11-2 (GB 11643): the check character for each remainder of the weighted
sum of the first 17 digits."""
_EARLIEST_BIRTH = date(1900, 1, 1)
NOT_A_VOTER = (
    "a mainland mobile number (11 digits starting 13–19, optionally after +86, 86 or 0086) "
    "or an 18-character resident ID number"
)


class VotingUnavailable(SurveyError, UnavailableError):
    status_code = 503
    code = "voting_unavailable"
    retry_after = 60


class VotingBusy(SurveyError, UnavailableError):
    """Votes on one wave are written one after another (each is checked against the
    wave's close); past a few retries the caller is asked to try again."""

    status_code = 503
    code = "voting_busy"
    retry_after = 1


def normalise_voter(value: str) -> str:
    """One canonical text per person, what the keyed hash is taken of: `phone:` and the 11
    digits of a mainland mobile number (whatever prefix and separators it was written
    with), or `id:` and the 18 characters of a resident ID number (check character in lower
    case). Anything else is refused, so that a typo is not a second person."""
    cleaned = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value).strip()).lower()
    mobile = _CHINA_MOBILE.fullmatch(cleaned)
    if mobile:
        return "phone:" + mobile.group(1)
    if _ID_NUMBER.fullmatch(cleaned):
        return "id:" + _checked_id(cleaned)
    raise InvalidQuestionnaire(NOT_A_VOTER, field="voter")


def _checked_id(number: str) -> str:
    """A resident ID number whose check character and date of birth hold."""
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        raise InvalidQuestionnaire(
            "the ID number's check character does not match its digits", field="voter"
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or not _EARLIEST_BIRTH <= born <= china_date(datetime.now(UTC)):
        raise InvalidQuestionnaire(
            "the ID number's date of birth is not a real one (from 1900 to today)", field="voter"
        )
    return number


def voter_principal(voter_hash: str) -> UUID:
    """Whom a public vote's Idempotency-Key belongs to: the voter (by their keyed hash, as
    their claims are), so a key is theirs alone whichever address they retry from, and
    nobody else's vote can be replayed or blocked with it."""
    return uuid5(PUBLIC_VOTERS, voter_hash)


def voting_status(wave: Wave, now: datetime) -> str:
    """Whether a vote now is taken: the one rule that `GET /public/waves/{id}` shows and
    `require_voting_open` enforces (the wave's own status stays `open` until an office
    closes it, but its window may have ended, or not begun, without anyone acting)."""
    if not wave.is_open or (wave.closes_at is not None and now > wave.closes_at):
        return "closed"
    if wave.opens_at is not None and now < wave.opens_at:
        return "not_open_yet"
    return "open"


def require_voting_open(wave: Wave, now: datetime) -> None:
    """Votes are taken while the wave is open and within its window (`voting_status`)."""
    status = voting_status(wave, now)
    if status == "open":
        return
    if status == "not_open_yet":
        assert wave.opens_at is not None
        raise NotOpenYet(
            f"voting on this wave opens at {wave.opens_at.isoformat()}",
            field="wave_id",
            opens_at=wave.opens_at.isoformat(),
        )
    if not wave.is_open:
        # Not `wave.require_open()`: its answer carries the office's reason for closing,
        # which is the office's record, not the public's.
        raise WaveClosedError(
            "voting on this wave is closed", field="wave_id", wave_id=str(wave.id)
        )
    assert wave.closes_at is not None
    raise WaveClosedError(
        f"voting on this wave closed at {wave.closes_at.isoformat()}",
        field="wave_id",
        closes_at=wave.closes_at.isoformat(),
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
            raise NotPublicWave("no such wave", field="wave_id")
        return wave

    def vote(
        self, wave_id: UUID, voter: str, ratings: dict[str, str], key: str | None = None
    ) -> dict[str, Any]:
        """One vote; `key` (Idempotency-Key): a retry with the same key and ratings answers
        as the first time, even after the wave closed."""
        voter_hash = self.voter_hash(normalise_voter(voter))
        self.public_wave(wave_id)  # a private wave is not found before anything waits

        def command() -> tuple[list[Any], dict[str, Any]]:
            wave = self.public_wave(wave_id)
            now = datetime.now(UTC)
            require_voting_open(wave, now)
            aggregates = self._ballot(wave, voter_hash, ratings, now)
            result = {"wave_id": str(wave.id), "response_id": str(aggregates[1].id)}
            return aggregates, result | {"units": len(ratings)}

        with self.wave_turn(wave_id):
            for _ in range(VOTE_ATTEMPTS):
                try:
                    return run_idempotent(
                        self,
                        principal_id=voter_principal(voter_hash),
                        scope=f"vote:{wave_id}",
                        key=key,
                        request={"ratings": ratings},
                        command=command,
                    )
                except IntegrityError:
                    self._refuse_if_voted(self.public_wave(wave_id), voter_hash, ratings)
                    continue  # another replica wrote the wave first: try again
        raise VotingBusy("too many votes at this moment; retry in a second")

    def _ballot(
        self, wave: Wave, voter_hash: str, ratings: dict[str, str], now: datetime
    ) -> list[Any]:
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
        questionnaire = canonical_answers(questionnaire)
        ratings = questionnaire["ratings"]
        found = Checker(wave, now).problems(questionnaire)
        if found:
            raise refusal(found)
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
