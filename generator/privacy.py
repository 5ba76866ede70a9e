"""Personal data that must never be published (DOMAIN.md rule 10), and masking.

Detectors look for 18-digit 居民身份证号 with a valid check digit, mainland mobile numbers,
bank card numbers (Luhn), home addresses and health data. Masking turns a natural person's
name into 张某 and a number into a preview that cannot be read back (110***********1234).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from stdnum import luhn
from stdnum.cn import ric, uscc

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?![0-9A-Za-z])")
# Bank cards issued in China have 16 to 19 digits (GB/T 19584); shorter runs are other codes.
_CARD = re.compile(r"(?<![0-9A-Za-z])\d(?:[ -]?\d){15,18}(?![0-9A-Za-z])")
# A label followed by a value ("住址：…", "住址为…"), not the word in a sentence ("和住址，不公开").
_ADDRESS = re.compile(
    r"(家庭住址|家庭地址|户籍地址|户籍所在地|现住址|居住地址|住址)\s*(?:[:：]|为|是)\s*\S{2,}")
_HEALTH = re.compile(r"(病历|病史|患有|诊断为|确诊|艾滋病|HIV|乙肝|精神疾病|残疾等级|怀孕检查结果)")
# What every detector needs at least: eleven digits (with separators), a label, or a word of
# health. Testing for these clears almost every text with two quick searches, where the
# five detectors would scan it five times.
_DIGIT_RUN = re.compile(r"\d[\d -]{10}")
_WORDS = re.compile("住址|地址|户籍所在地|" + _HEALTH.pattern.strip("()"))


def may_hold_personal_data(text: str) -> bool:
    """False when `text` surely holds none; a cheap test before `find_personal_data`."""
    return _WORDS.search(text) is not None or _DIGIT_RUN.search(text) is not None


@dataclass(frozen=True)
class Finding:
    """A piece of personal data found in a text, with a masked preview safe to print."""

    kind: str
    preview: str


def mask_digits(value: str) -> str:
    digits = re.sub(r"[ -]", "", value)
    keep_head, keep_tail = (3, 4) if len(digits) > 8 else (1, 1)
    return digits[:keep_head] + "*" * (len(digits) - keep_head - keep_tail) + digits[-keep_tail:]


def mask_person_name(name: str) -> str:
    """张三 -> 张某; a name already masked (李某) stays as it is."""
    name = name.strip()
    if not name:
        return name
    return name[0] + "某"


def _context(text: str, start: int, end: int, masked: str, after: bool = True) -> str:
    # Digits around the finding may be more personal data: never show them.
    before = re.sub(r"\d", "*", text[max(0, start - 8) : start])
    tail = re.sub(r"\d", "*", text[end : end + 8]) if after else ""
    return f"…{before}{masked}{tail}…"


def find_personal_data(text: str) -> Iterator[Finding]:
    """Every piece of personal data in `text` (empty for clean text)."""
    if not may_hold_personal_data(text):
        return
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _ID_NUMBER.finditer(text):
        if ric.is_valid(match.group()):
            taken.append(match.span())
            yield Finding("居民身份证号", _context(text, *match.span(), mask_digits(match.group())))
    for match in _MOBILE.finditer(text):
        if free(*match.span()):
            taken.append(match.span())
            yield Finding("手机号码", _context(text, *match.span(), mask_digits(match.group())))
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if free(*match.span()) and luhn.is_valid(digits) and not uscc.is_valid(digits):
            taken.append(match.span())
            yield Finding("银行卡号", _context(text, *match.span(), mask_digits(digits)))
    for match in _ADDRESS.finditer(text):
        yield Finding("住址", _context(text, match.start(), match.end(),
                                        match.group(1) + "：***", after=False))
    for match in _HEALTH.finditer(text):
        yield Finding("健康信息", _context(text, *match.span(), match.group()))
