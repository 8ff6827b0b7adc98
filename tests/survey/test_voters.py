"""Who a public voter is: the one canonical form of a mobile or resident ID number that the
keyed hash is taken of (services/survey/application/voting.py, `normalise_voter`)."""

from __future__ import annotations

from datetime import date

import pytest

from services.survey.application.voters import normalise_voter
from services.survey.domain import InvalidQuestionnaire

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check(first17: str) -> str:
    """An ID number with its ISO 7064 MOD 11-2 check character, worked out here."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


SAME_PHONE = [
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "+86 138-0013-8000",
    "+8613800138000",
    "8613800138000",
    "0086 13800138000",
    "（+86）138 0013 8000",
    "１３８００１３８０００",  # full-width digits, as some input methods type them
    "138—0013—8000",  # em dashes, as a Chinese input method types a dash
    "138–0013–8000",  # en dashes, as word processors and web pages write them
    "138‐0013‐8000",  # U+2010 hyphen
    "+86 138−0013−8000",  # U+2212 minus sign
]


@pytest.mark.parametrize("written", SAME_PHONE)
def test_a_mobile_number_however_written_is_one_person(written: str) -> None:
    # The canonical form of numbers accepted before is unchanged: old hashes still match.
    assert normalise_voter(written) == "phone:13800138000"


def test_an_id_number_is_one_person_whatever_the_case_of_its_check_character() -> None:
    assert normalise_voter("11010519491231002X") == "id:11010519491231002x"
    assert normalise_voter("11010519491231002x") == "id:11010519491231002x"
    assert normalise_voter("110105 19491231 002X") == "id:11010519491231002x"
    assert normalise_voter(with_check("44030420000229123")).startswith("id:4403042000022912")


NO_ONE = {
    "11 digits not a mobile number": "12345678901",
    "10 and ten zeroes": "10000000000",
    "mobile prefix 12": "12800138000",
    "too short": "1380013800",
    "too long": "138001380001",
    "another country's prefix": "+85213800138000",
    "eighteen zeroes": "000000000000000000",
    "wrong check digit": "110105194912310021",
    "a digit where X is due": "11010519491231002" + "1",
    "no such day": with_check("11010519900230002"),
    "born in the future": with_check(f"110105{date.today().year + 1}0101002"),
    "born before 1900": with_check("11010518991231002"),
    "region 0": with_check("01010519491231002"),
    "letters": "1380013800a",
    "arabic-indic digits": "١٣٨٠٠١٣٨٠٠٠",
}


@pytest.mark.parametrize("case", NO_ONE)
def test_a_number_that_is_no_one_is_refused_naming_the_voter(case: str) -> None:
    with pytest.raises(InvalidQuestionnaire) as refused:
        normalise_voter(NO_ONE[case])
    assert refused.value.field == "voter"
