"""Online public voting (网上公开评议, seed 004's 大数据评议): anyone may vote on the waves an
office opens to the public, once per unit per campaign round. A voter is known only by an
HMAC-SHA256 of the normalised phone or ID number under the survey's voter key
(voter_codes.py); the number itself is never stored or logged.

A wave whose `voter_check` is `sms_code` (the default of public waves) takes a vote only
from a mobile number with the code texted to it (`request_code`, voter_codes.py): the
number is then the voter's. The code is checked in the wave's turn and used once the vote is
saved; the vote records how its voter was checked (`details["voter_check"]`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from services.survey.application.voter_codes import VoterCodes
from services.survey.application.voters import (
    PUBLIC_ACTOR,
    PUBLIC_VOTERS,
    VOTE_ATTEMPTS,
    VotingBusy,
    normalise_voter,
    require_voting_open,
    vote_refusal,
    voter_principal,
)
from services.survey.domain import (
    AlreadyVoted,
    Checker,
    Response,
    VoteClaim,
    Wave,
    canonical_answers,
)
from services.survey.domain.errors import InvalidCode
from services.survey.verification import VoterCheck
from services.survey.verification.checks import code_as_typed, mobile_number
from shared.contracts.survey import Channel
from shared.idempotency import run_idempotent


class VotingCommands(VoterCodes):
    """Public votes: one per voter per unit per round."""

    def vote(
        self,
        wave_id: UUID,
        voter: str,
        ratings: dict[str, str],
        key: str | None = None,
        code: str | None = None,
    ) -> dict[str, Any]:
        """One vote; `key` (Idempotency-Key): a retry with the same key and ratings (and
        code) answers as the first time, even after the wave closed and the code was used.
        On a wave whose `voter_check` is `sms_code`, `code` is the one texted to the
        voter's mobile: checked in the wave's turn (before the ratings), used once the vote
        is saved; a vote refused for its ratings or as a repeat leaves it valid."""
        normalised = normalise_voter(voter)
        voter_hash = self.voter_hash(normalised)
        # A private wave is not found before anything waits. What the wave checks of its
        # voters is fixed at its opening: read before its turn, it is read as it stays.
        wave = self.public_wave(wave_id)
        check = VoterCheck(wave.voter_check or VoterCheck.NONE)
        hashed: str | None = None
        if check == VoterCheck.SMS_CODE:
            mobile_number(normalised)
            if code is None:
                # Whoever brings no code is told first that no vote is taken now, if so.
                require_voting_open(wave, datetime.now(UTC))
            hashed = self.code_hash(wave_id, voter_hash, code_as_typed(code))
        elif code is not None:
            raise InvalidCode(
                "本次评议投票无需短信验证码，请去掉验证码 (votes on this wave need no code: "
                "leave `code` out)",
                field="code",
                why="not_needed",
            )
        request: dict[str, Any] = {"ratings": ratings}
        if hashed is not None:
            request["code"] = hashed  # a replay needs the code the vote was cast with

        def prepare() -> None:
            # Not run for a replay of a recorded vote (its code was used by it). A wave not
            # taking votes says so before a code is looked at (and a try spent on it).
            if hashed is not None:
                require_voting_open(self.public_wave(wave_id), datetime.now(UTC))
                self._require_code(wave_id, voter_hash, hashed)

        def command(_: None) -> tuple[list[Any], dict[str, Any]]:
            wave = self.public_wave(wave_id)
            now = datetime.now(UTC)
            require_voting_open(wave, now)
            aggregates = self._ballot(wave, voter_hash, ratings, now, check)
            result = {"wave_id": str(wave.id), "response_id": str(aggregates[1].id)}
            return aggregates, result | {"units": len(ratings)}

        with self.wave_turn(wave_id):
            for _ in range(VOTE_ATTEMPTS):
                try:
                    result = run_idempotent(
                        self,
                        principal_id=voter_principal(voter_hash),
                        scope=f"vote:{wave_id}",
                        key=key,
                        request=request,
                        command=command,
                        prepare=prepare,
                    )
                except IntegrityError:
                    # A repeat's units are named only to whoever proved the number theirs.
                    wave = self.public_wave(wave_id)
                    self._refuse_if_voted(wave, voter_hash, ratings, hashed is not None)
                    continue  # another replica wrote the wave first: try again
                if hashed is not None:
                    self.code_book().use(str(wave_id), voter_hash, hashed)
                return result
        raise VotingBusy(
            "投票人数较多，请稍后重试 (too many votes at this moment; retry in a second)"
        )

    def _ballot(
        self,
        wave: Wave,
        voter_hash: str,
        ratings: dict[str, str],
        now: datetime,
        check: VoterCheck,
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
            raise vote_refusal(found)
        response = Response(
            wave_id=wave.id,
            questionnaire_id=questionnaire["questionnaire_id"],
            survey_point=None,
            collected_at=now,
            ratings=ratings,
            actor=PUBLIC_ACTOR,
            # How the voter was checked is part of the vote (never the code itself).
            details={"channel": Channel.ONLINE.value, "voter_check": check.value},
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

    def _refuse_if_voted(
        self, wave: Wave, voter_hash: str, ratings: dict[str, str], verified: bool
    ) -> None:
        """409 `already_voted` where the voter voted on any of the units this round. The
        units are named only to a voter whose code was checked: to anyone else (a wave
        without codes) the answer would tell which units a number voted on."""
        round_key = self.round_key(wave)
        voted = []
        for unit_id in sorted(ratings):
            try:
                self.repository.get(VoteClaim.create_id(round_key, voter_hash, unit_id))
            except AggregateNotFoundError:
                continue
            voted.append(unit_id)
        if voted and verified:
            raise AlreadyVoted(
                "本轮评议您已对这些单位投过票，每人对每个单位只能投一票 "
                "(you have already voted on these units in this round: 一人一单位一票)",
                field="ratings",
                unit_ids=voted,
            )
        if voted:
            raise AlreadyVoted(
                "本轮评议您已对其中的单位投过票，每人对每个单位只能投一票 "
                "(you have already voted on some of these units in this round: 一人一单位一票)",
                field="ratings",
            )
