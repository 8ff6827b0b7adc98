"""Who a public voter is and when a wave takes votes: a phone or ID number read as people
write it (`normalise_voter`), the principal a voter's keyed hash stands for, a public wave's
voting window, and the words of every refusal a voter meets (Chinese first: the voter is
the public, on a phone). The commands are `VotingCommands` (`voting.py`)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from services.survey.domain import (
    InvalidQuestionnaire,
    Wave,
    WaveClosedError,
    refusal,
)
from services.survey.domain.answers import Problem
from services.survey.domain.errors import (
    NotOpenYet,
    SurveyError,
)
from services.survey.domain.reasons import office_time
from shared.contracts.registry import china_date
from shared.errors import UnavailableError

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
    "请填写中国大陆手机号（11位，13–19开头，可加 +86、86 或 0086）或18位居民身份证号 "
    "(a mainland mobile number (11 digits starting 13–19, optionally after +86, 86 or 0086) "
    "or an 18-character resident ID number)"
)
"""Every refusal a voter can meet reads Chinese first, English after: the voter is the
public, on a phone (docs/survey.md, *Online public voting*)."""
FOR_THE_VOTER = {
    "scale": "请从本次评议的选项中选择",
}
"""The Chinese that stands for a push's own for a problem a vote can have: the checks are
the pushes', whose Chinese is worded for an agency's staff (a unit's is the voter's too)."""


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
            "身份证号的校验位与号码不符 (the ID number's check character does not match its "
            "digits)",
            field="voter",
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or not _EARLIEST_BIRTH <= born <= china_date(datetime.now(UTC)):
        raise InvalidQuestionnaire(
            "身份证号中的出生日期无效，应在1900年至今天之间 (the ID number's date of birth is "
            "not a real one (from 1900 to today))",
            field="voter",
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
            f"本次评议尚未开始投票，{office_time(wave.opens_at)}（北京时间）开始 "
            f"(voting on this wave opens at {office_time(wave.opens_at)}, Beijing time)",
            field="wave_id",
            opens_at=wave.opens_at.isoformat(),
        )
    if not wave.is_open:
        # Not `wave.require_open()`: its answer carries the office's reason for closing,
        # which is the office's record, not the public's.
        raise WaveClosedError(
            "本次评议投票已结束 (voting on this wave is closed)",
            field="wave_id",
            wave_id=str(wave.id),
        )
    assert wave.closes_at is not None
    raise WaveClosedError(
        f"本次评议投票已于{office_time(wave.closes_at)}（北京时间）结束 "
        f"(voting on this wave closed at {office_time(wave.closes_at)}, Beijing time)",
        field="wave_id",
        closes_at=wave.closes_at.isoformat(),
    )


def _for_voter(problem: Problem) -> Problem:
    chinese = FOR_THE_VOTER.get(problem.code)
    if chinese is None:
        return problem
    # The push's reason reads `中文 (English)`: the voter's Chinese takes its Chinese's place.
    return Problem(problem.field, f"{chinese} {_english(problem.reason)}", problem.code)


def _english(reason: str) -> str:
    """The English a reason ends with, in its brackets: found from the end, since the
    Chinese before it may quote the voter's answer, brackets and all (“很好 (”)."""
    depth = 0
    for index in range(len(reason) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(reason[index], 0)
        if depth == 0:
            return reason[index:]
    return reason


def vote_refusal(found: list[Problem]) -> InvalidQuestionnaire:
    """The vote's problems as `refusal` names them, each in words a voter reads."""
    if len(found) == 1:
        return refusal([_for_voter(found[0])])
    count = len(found)
    error = InvalidQuestionnaire(
        f"{count} 处问题，未记录投票 ({count} problems; nothing was done)", field=None
    )
    error.several = refusal([_for_voter(p) for p in found]).several
    return error
