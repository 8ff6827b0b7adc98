"""统一社会信用代码 check characters (GB 32100-2015), with codes published by real bodies."""

from __future__ import annotations

import pytest

from services.registry.domain import InvalidRegistration, normalize_credit_code
from services.registry.domain.credit_code import check_character, credit_code_problem

# Codes as printed on business licences (企业信用信息公示系统) and in GB 32100-2015 itself.
REAL_CODES = [
    "91330100716105852F",  # 阿里巴巴(中国)有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司 (check character is a digit)
    "91350100M000100Y43",  # the worked example in GB 32100-2015
    "91110108551385082Q",  # 北京小米科技有限责任公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_pass(code: str) -> None:
    assert credit_code_problem(code) is None
    assert normalize_credit_code(code) == code


def test_the_standard_example_check_character_is_computed_not_copied() -> None:
    assert check_character("91350100M000100Y4") == "3"
    assert check_character("91330100716105852") == "F"


def test_lower_case_and_spaces_are_normalised() -> None:
    assert normalize_credit_code("  91330100716105852f ") == "91330100716105852F"


@pytest.mark.parametrize(
    "typed",
    [
        "９１３３０１００７１６１０５８５２Ｆ",  # an IME left in full-width mode
        "９１330100716105852ｆ",  # partly so
        "9133 0100 7161 0585 2F",  # grouped for reading
        "913301007161\u300005852F",  # with an ideographic space
    ],
)
def test_full_width_forms_and_inner_spaces_are_the_code(typed: str) -> None:
    assert normalize_credit_code(typed) == "91330100716105852F"


def test_a_code_excel_turned_into_a_number_says_so() -> None:
    with pytest.raises(InvalidRegistration) as raised:
        normalize_credit_code("9.14403E+17")
    assert "文本格式" in raised.value.reason


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91330100716105852E", "check character"),  # one wrong character at the end
        ("91330100716105825F", "check character"),  # two neighbours swapped
        ("91330100761105852F", "check character"),  # another swap, inside the org code
        ("9133010071610585F", "18 characters"),  # one character missing
        ("91330100716105852FF", "18 characters"),
        ("9133010071610585IF", "not allowed"),  # I is never used (reads as 1)
        ("91330100716105852O", "not allowed"),  # O is never used (reads as 0)
        ("913301S0716105852F", "not allowed"),  # S is never used (reads as 5)
        ("91A30100716105852F", "division code"),  # characters 3-8 are digits
    ],
)
def test_invalid_codes_are_refused_naming_the_field(code: str, reason: str) -> None:
    with pytest.raises(InvalidRegistration) as raised:
        normalize_credit_code(code, field="units.2.credit_code")
    assert raised.value.field == "units.2.credit_code"
    assert reason in raised.value.reason
    assert raised.value.status_code == 422


def test_every_single_character_typo_is_caught() -> None:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    code = REAL_CODES[0]
    for position in range(17):
        for char in alphabet:
            if char != code[position]:
                typo = code[:position] + char + code[position + 1 :]
                if typo[2:8].isdigit():
                    assert credit_code_problem(typo) is not None, typo
