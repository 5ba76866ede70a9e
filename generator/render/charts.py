"""Bar charts as inline SVG, drawn at build time: no script, no CDN, the same bytes every build.

Each chart is a picture of a table printed next to it, so the figure is `role="img"` with a
title that says where the numbers are; colours come from CSS classes (gongshi.css), which
follow the light and dark scheme. Labels sit above their bars, so long Chinese names never
squeeze the bars on a phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

WIDTH = 420
FONT = 14
BAR = 12
GAP = 4
LABEL = 20
"""The height of a row's label line, above its bars."""
VALUE_ROOM = 84
"""Room kept right of the longest bar for its value."""
SERIES_CLASSES = 7


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[Decimal | int | None, ...]
    """One value per series; None where the series does not apply (无此职权)."""


def _number(value: Decimal | int) -> str:
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:,f}" if value == value.to_integral() else f"{value:,}"
    return f"{value:,}"


def _legend(series: list[str]) -> tuple[list[str], int]:
    """Coloured keys, one per series, wrapping onto new lines; and the height they take."""
    parts = []
    x, y = 0, FONT
    for index, name in enumerate(series):
        parts.append(f'<rect class="gs-s{index % SERIES_CLASSES}" x="{x}" y="{y - 11}" '
                     f'width="12" height="12"/>')
        parts.append(f'<text x="{x + 16}" y="{y}">{escape(name)}</text>')
        x += 16 + FONT * len(name) + 14
        if x > WIDTH - 60 and index < len(series) - 1:
            x = 0
            y += LABEL
    return parts, y - FONT + LABEL


def bar_chart(chart_id: str, title: str, series: list[str], rows: list[Row], unit: str = "",
              stacked: bool = False) -> Markup:
    """A horizontal bar chart: per row, one bar per series (grouped) or one bar split into
    the series (stacked). `title` names the figure and tells where its table is."""
    totals = [sum(v for v in row.values if v is not None) for row in rows]
    peak = max([*(totals if stacked else (v for r in rows for v in r.values if v is not None)),
                0])
    scale = (WIDTH - VALUE_ROOM) / float(peak) if peak else 0.0
    body: list[str] = []
    y = 4
    if len(series) > 1:
        body, height = _legend(series)
        y += height
    for row, total in zip(rows, totals, strict=True):
        body.append(f'<text x="0" y="{y + FONT}">{escape(row.label)}</text>')
        y += LABEL + 2
        if stacked:
            x = 0.0
            for index, value in enumerate(row.values):
                if value:
                    width = float(value) * scale
                    body.append(f'<rect class="gs-s{index % SERIES_CLASSES}" x="{x:.1f}" y="{y}" '
                                f'width="{width:.1f}" height="{BAR}"/>')
                    x += width
            body.append(f'<text class="gs-chart-value" x="{x + 6:.1f}" y="{y + BAR - 1}">'
                        f'{_number(total)}{escape(unit)}</text>')
            y += BAR + GAP * 3
            continue
        for index, value in enumerate(row.values):
            width = float(value or 0) * scale
            body.append(f'<rect class="gs-s{index % SERIES_CLASSES}" x="0" y="{y}" '
                        f'width="{width:.1f}" height="{BAR}"/>')
            shown = "无此职权" if value is None else f"{_number(value)}{unit}"
            body.append(f'<text class="gs-chart-value" x="{width + 6:.1f}" y="{y + BAR - 1}">'
                        f'{escape(shown)}</text>')
            y += BAR + GAP
        y += GAP * 2
    height = y + 4
    title_id = f"{chart_id}-title"
    return Markup(f'<figure class="gs-chart" id="{escape(chart_id)}">'
            f'<svg role="img" aria-labelledby="{escape(title_id)}" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" font-size="{FONT}">'
            f'<title id="{escape(title_id)}">{escape(title)}</title>'
            + "".join(body) +
            f'</svg><figcaption>{escape(title)}</figcaption></figure>')

