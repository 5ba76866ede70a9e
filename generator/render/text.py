"""How values read on the page: dates in Chinese, amounts, certificate states, masked names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from generator.model import Officer, Party
from generator.privacy import mask_person_name

# Page titles reach <title> and the search index through the theme, which does not escape
# them; full-width look-alikes keep any title harmless and still readable.
_TITLE_SAFE = str.maketrans({"<": "＜", ">": "＞", "&": "＆", '"': "＂", "'": "＇", "`": "｀"})


def chinese_date(value: dt.date | None) -> str:
    """2025-05-01 -> 2025年5月1日 (empty for no date)."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def money(amount: Decimal | None, unit: str = "元") -> str:
    """Decimal('20000.00') -> 20,000元; cents are kept only when there are any."""
    if amount is None:
        return ""
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return text + unit


def title_text(text: str) -> str:
    """A page title that is safe where the theme prints it without escaping."""
    return text.translate(_TITLE_SAFE)


def certificate_state(officer: Officer, as_of: dt.date) -> str:
    """What a citizen needs to know: can this certificate be used today?"""
    if officer.status != "有效" and (officer.status_since is None
                                   or officer.status_since <= as_of):
        return officer.status  # 暂扣 / 注销 / 吊销 say it all, from their date on
    if officer.valid_to < as_of:
        return "已过期"
    if officer.valid_from > as_of:
        return "尚未生效"
    return "有效"


def party_name(party: Party) -> str:
    """The party as published: a natural person only by surname (张某)."""
    if party.kind == "自然人":
        return mask_person_name(party.name)
    return party.name


def party_representative(party: Party) -> str:
    """The legal representative as published: the operator of a 个体工商户 is a private person."""
    if party.kind in ("自然人", "个体工商户"):
        return mask_person_name(party.legal_representative)
    return party.legal_representative


def scrub_party(text: str, party: Party) -> str:
    """Mask a private person's full name wherever staff repeated it in free text (facts)."""
    for full, masked in _private_names(party):
        if len(full) >= 2:
            text = text.replace(full, masked)
    return text


def _private_names(party: Party) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    if party.kind == "自然人":
        names.append((party.name.strip(), mask_person_name(party.name)))
    if party.kind in ("自然人", "个体工商户") and party.legal_representative.strip():
        rep = party.legal_representative.strip()
        names.append((rep, mask_person_name(rep)))
    return names
