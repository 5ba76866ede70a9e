"""Article citations: `<legal basis id>#第二十六条第（一）项` and Chinese article numbers."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_ARTICLE = re.compile(r"^(第[〇零一二三四五六七八九十百千]+条)(.*)$")


def chinese_number(text: str) -> int:
    """`二十六` -> 26, `一百零五` -> 105, `十` -> 10."""
    total, digit = 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (digit or 1) * _UNITS[char]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text}")
    return total + digit


@dataclass(frozen=True, order=True)
class Citation:
    """A parsed article citation."""

    law: str
    article: str  # 第二十六条
    detail: str  # 第（一）项, or ""

    @classmethod
    @functools.cache  # a province cites a few hundred articles, a hundred thousand times
    def parse(cls, ref: str) -> Citation:
        law, _, rest = ref.partition("#")
        match = _ARTICLE.match(rest)
        if not law or match is None:
            raise ValueError(f"not an article citation: {ref}")
        return cls(law=law, article=match.group(1), detail=match.group(2))

    @property
    def number(self) -> int:
        return article_number(self.article)

    @property
    def anchor(self) -> str:
        """The HTML anchor of the article on its legal basis page, e.g. `art-26`."""
        return article_anchor(self.article)

    @property
    def label(self) -> str:
        """How the article is named on the page: 第二十六条第（一）项."""
        return self.article + self.detail


@functools.cache
def article_number(article: str) -> int:
    return chinese_number(article.removeprefix("第").removesuffix("条"))


def article_anchor(article: str) -> str:
    return f"art-{article_number(article)}"
