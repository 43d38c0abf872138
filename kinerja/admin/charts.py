"""Charts as inline SVG written on the server: no script, no CDN, and allowed by the pages' Content Security
Policy (presentation attributes only, no style attributes).

Each chart is 360 units wide and scales with its viewBox, so on a 360 px phone its 12-unit text is about 11 px;
every item has its label on a line of its own above its bars, a value written beside each bar, and a <title>
tooltip on each bar. The <svg> is role="img" with an aria-label and holds nothing focusable; the page's table
holds the same figures and the links. Every piece is a Markup template whose values format() escapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from kinerja.i18n import format_number

WIDTH = 360
FONT = 12
CHAR = 6.6  # average width of a character at FONT, for wrapping and truncating
LINE = 16  # height of a label line
BAR = 12
STACK = 16
GAP = 8
VALUE_SPACE = 52  # room right of a bar for its value
TEXT = "#212529"
EMPTY = "#e9ecef"

SVG = Markup('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
             'aria-label="{label}" id="{id}" class="d-block" font-size="{font}" '
             'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif">{parts}</svg>')
LABEL = Markup('<text x="0" y="{y}" fill="{fill}" font-weight="600"><title>{full}</title>{text}</text>')
SWATCH = Markup('<rect x="{x}" y="{y}" width="10" height="10" fill="{fill}"/>'
                '<text x="{text_x}" y="{text_y}" fill="{text_fill}">{name}</text>')
RECT = Markup('<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"><title>{tooltip}</title></rect>')
BACKGROUND = Markup('<rect x="0" y="{y}" width="{width}" height="{height}" fill="{fill}"/>')
VALUE = Markup('<text x="{x}" y="{y}" fill="{fill}" font-size="11"{anchor}>{text}</text>')
MIDDLE = Markup(' text-anchor="middle"')


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    text_colour: str = "#ffffff"  # for values written inside a stacked segment


@dataclass(frozen=True)
class Item:
    label: str
    values: Sequence[float]  # one per series


def number(value: float) -> str:
    return f"{value:.1f}"


def percent_text(value: float) -> str:
    return f"{format_number(value, 1)}%"


def truncated(text: str, width: float) -> str:
    fits = max(4, int(width / CHAR))
    return text if len(text) <= fits else text[:fits - 1].rstrip() + "…"


def _label(item: Item, y: float) -> Markup:
    return LABEL.format(y=number(y), fill=TEXT, full=item.label, text=truncated(item.label, WIDTH))


def _value(x: float, y: float, text: str, fill: str = TEXT, middle: bool = False) -> Markup:
    return VALUE.format(x=number(x), y=number(y), fill=fill, anchor=MIDDLE if middle else "", text=text)


def _legend(series: Sequence[Series]) -> tuple[list[Markup], float]:
    """Swatches and names, wrapped onto as many lines as the width needs; returns the parts and their height."""
    parts, x, y = [], 0.0, 0.0
    for entry in series:
        width = 14 + len(entry.name) * CHAR + 12
        if x and x + width > WIDTH:
            x, y = 0.0, y + LINE
        parts.append(SWATCH.format(x=number(x), y=number(y + 3), fill=entry.colour, text_x=number(x + 14),
                                   text_y=number(y + 12), text_fill=TEXT, name=entry.name))
        x += width
    return parts, y + LINE + GAP


def _svg(chart_id: str, label: str, parts: list[Markup], height: float) -> Markup:
    return SVG.format(width=WIDTH, height=f"{height:.0f}", label=label, id=chart_id, font=FONT,
                      parts=Markup("").join(parts))


def bar_chart(chart_id: str, label: str, series: Sequence[Series], items: Sequence[Item]) -> Markup:
    """Horizontal bars of percentages, one per series under each item's label; the scale reaches 100% or the
    largest value if above (minutes beyond the target)."""
    parts, y = _legend(series)
    track = WIDTH - VALUE_SPACE
    scale = track / max([100.0, *(value for item in items for value in item.values)])
    for item in items:
        parts.append(_label(item, y + FONT))
        y += LINE + 2
        for entry, value in zip(series, item.values, strict=True):
            width = max(0.0, value) * scale
            parts.append(BACKGROUND.format(y=number(y), width=track, height=BAR, fill=EMPTY))
            parts.append(RECT.format(x=0, y=number(y), width=number(width), height=BAR, fill=entry.colour,
                                     tooltip=f"{item.label} · {entry.name}: {percent_text(value)}"))
            parts.append(_value(width + 4, y + BAR - 2, percent_text(value)))
            y += BAR + 2
        y += GAP
    return _svg(chart_id, label, parts, y)


def stacked_chart(chart_id: str, label: str, series: Sequence[Series], items: Sequence[Item],
                  empty_text: str, unit: str = "") -> Markup:
    """One bar per item split into its series' shares of the item's total; counts and shares in the tooltips,
    the share written inside a segment wide enough for it; `empty_text` on a bar whose total is nil."""
    parts, y = _legend(series)
    for item in items:
        parts.append(_label(item, y + FONT))
        y += LINE + 2
        whole = sum(item.values)
        if not whole:
            parts.append(BACKGROUND.format(y=number(y), width=WIDTH, height=STACK, fill=EMPTY))
            parts.append(_value(4, y + STACK - 4, empty_text))
        x = 0.0
        for entry, value in zip(series, item.values, strict=True) if whole else ():
            width = WIDTH * value / whole
            share = percent_text(100.0 * value / whole)
            count = format_number(value, 0) + (f" {unit}" if unit else "")
            parts.append(RECT.format(x=number(x), y=number(y), width=number(width), height=STACK, fill=entry.colour,
                                     tooltip=f"{item.label} · {entry.name}: {count} ({share})"))
            if value and width >= len(share) * CHAR * 0.9 + 4:
                parts.append(_value(x + width / 2, y + STACK - 4, share, entry.text_colour, middle=True))
            x += width
        y += STACK + GAP
    return _svg(chart_id, label, parts, y)
