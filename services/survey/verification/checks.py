"""What a voter's number and code must be on a wave that checks its voters, and each refusal
of a code in the words a voter reads (Chinese first)."""

from __future__ import annotations

import re
import unicodedata

from services.survey.domain import InvalidQuestionnaire
from services.survey.domain.errors import InvalidCode
from services.survey.verification.codes import Check

CODE_REFUSALS = {
    "missing": "请先获取短信验证码；验证码已使用、已被新验证码取代或已失效的，请重新获取 "
    "(no valid code for this number: ask for one; a code used, replaced by a newer one or "
    "spent is no longer valid)",
    "expired": "短信验证码已过期，请重新获取 (the code has expired: ask for a new one)",
}


def code_refusal(check: Check) -> InvalidCode:
    if check.outcome == "wrong" and check.left > 0:
        return InvalidCode(
            f"短信验证码不正确，还可再试{check.left}次 (the code is wrong; {check.left} more "
            "tries)",
            field="code",
            why="wrong",
            tries_left=check.left,
        )
    if check.outcome == "wrong":
        return InvalidCode(
            "短信验证码错误次数过多，已失效，请重新获取 (too many wrong codes: this one is "
            "dead; ask for a new one)",
            field="code",
            why="spent",
            tries_left=0,
        )
    return InvalidCode(CODE_REFUSALS[check.outcome], field="code", why=check.outcome)


def mobile_number(normalised: str) -> str:
    """The 11 digits of a voter's mobile number: a code goes to a phone, so a wave that
    checks its voters takes mobile numbers only."""
    if not normalised.startswith("phone:"):
        raise InvalidQuestionnaire(
            "本次评议需用手机号接收短信验证码投票，请填写中国大陆手机号 (this wave checks "
            "voters by a code texted to their mobile: give a mainland mobile number)",
            field="voter",
        )
    return normalised.removeprefix("phone:")


def code_as_typed(code: str | None) -> str:
    """The 6 digits of a code as a voter types it (full-width digits, spaces)."""
    if code is None:
        raise InvalidCode(
            "请填写短信验证码 (this wave needs the code texted to the voter's mobile)",
            field="code",
            why="required",
        )
    cleaned = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", code))
    if not re.fullmatch(r"[0-9]{6}", cleaned):
        raise InvalidCode(
            "短信验证码应为6位数字 (the code is 6 digits)", field="code", why="malformed"
        )
    return cleaned
