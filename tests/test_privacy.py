"""The personal-data detectors: found where present, silent on official codes and amounts."""

from __future__ import annotations

import pytest

from generator.privacy import find_personal_data, mask_digits, mask_person_name


def kinds(text: str) -> list[str]:
    return [finding.kind for finding in find_personal_data(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证号11010119900307451X", []),  # wrong check digit: not an ID number
        ("身份证号110101199003074514", ["居民身份证号"]),
        ("手机 138-1234-5678", ["手机号码"]),
        ("电话0999-12345678", []),
        ("卡号6222021234567890128", ["银行卡号"]),
        ("卡号6222021234567890127", []),  # fails Luhn
        ("东人社监罚〔2025〕15号，罚款人民币20000元", []),
        ("统一社会信用代码91990100MA0000001G", []),
        ("12333 热线", []),
        ("代码12990223000000001X的单位", []),  # a USCC whose first 17 characters are digits
        ("不收集身份证号和住址，不公开", []),
        ("住址为东湖市某路", ["住址"]),
    ],
)
def test_detectors(text: str, expected: list[str]) -> None:
    assert kinds(text) == expected


def test_preview_never_shows_the_number_or_its_neighbours() -> None:
    (finding, phone) = find_personal_data("身份证号110101199003074514，手机13812345678")
    assert "110101199003074514" not in finding.preview
    assert "13812345678" not in finding.preview and "13812345678" not in phone.preview


def test_masks() -> None:
    assert mask_person_name("张小明") == "张某"
    assert mask_person_name("欧阳娜娜") == "欧某"
    assert mask_digits("13812345678") == "138****5678"
