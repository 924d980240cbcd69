"""A run's charts as inline SVG drawn by pygal on the server: no script, nothing fetched from
elsewhere, CJK-capable fonts, and every word through ``reports.labels.label``.

pygal embeds a small configuration script in each SVG even with ``js=[]``; the page's content
security policy would refuse it (and it does nothing without pygal's JavaScript), so it is removed.
"""

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from core.money import format_wan, format_yuan

from .labels import label
from .names import english_names, shown

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
# Charts whose labels are label keys; other charts' labels are plain text (months, names).
KEYED_LABELS = {"utilisation_bands", "grades"}
RATE_SERIES = {"utilisation", "sharing_rate", "entry_rate", "participation_rate", "open_rate", "external_sharing_rate"}
WAN_SERIES = {"original_value", "total_value", "value", "idle_value", "underused_value"}
YUAN_SERIES = {"income", "external_income", "subsidies_granted", "subsidies_paid", "paid", "budget"}
LABEL_CHARS = 14
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)

STYLE = Style(
    font_family=FONT,
    background="transparent",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d5fa8", "#d9822b", "#2f855a", "#9b2c2c", "#6b46c1"),
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=16,
    value_font_size=14,
    tooltip_font_size=14,
)


def _number(value) -> float | None:
    """A stored exact value as a float for drawing only (the numbers people read are in the table)."""
    if value is None:
        return None
    try:
        return float(Decimal(str(value)))
    except InvalidOperation:
        return None


def series_formatter(series_key: str):
    if series_key in RATE_SERIES:
        return lambda v: "" if v is None else f"{v:.1f}%"
    if series_key in WAN_SERIES:  # drawn in 万元
        return lambda v: "" if v is None else format_wan(Decimal(str(v)) * 10000)
    if series_key in YUAN_SERIES:
        return lambda v: "" if v is None else format_yuan(Decimal(str(round(v, 2))))
    return lambda v: "" if v is None else f"{v:,.2f}".rstrip("0").rstrip(".")


def series_format(series_key: str) -> str:
    """The format of a series' values in the chart's table (see templatetags.reports_tags)."""
    if series_key in RATE_SERIES:
        return "rate"
    if series_key in WAN_SERIES:
        return "wan"
    if series_key in YUAN_SERIES:
        return "money"
    if series_key.endswith("hours"):
        return "hours"
    return "number"


def _value_axis(series_key: str) -> dict:
    """Few, short labels on the value axis: amounts of money in 万元 (the axis says so), rates in %."""
    axis = {}
    if series_key in WAN_SERIES:
        axis.update(value_formatter=lambda v: f"{v:,.0f}")
    elif series_key in RATE_SERIES:
        axis.update(value_formatter=lambda v: f"{v:.0f}%")
    else:
        axis.update(value_formatter=lambda v: f"{v:,.0f}")
    return axis


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """About ``count`` round values from 0 past ``top`` for the value axis (1, 2 or 5 × 10ⁿ apart)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [step * i for i in range(math.ceil(top / step) + 1)]


def chart_labels(chart: dict, names: dict[str, str] | None = None) -> list[str]:
    """The chart's labels in the reader's language: keyed ones translated, stored names of
    classes, districts, units and instruments in English for an English reader (``names``, when
    the caller looked them up already for the whole page)."""
    if chart["key"] in KEYED_LABELS:
        return [label(key) for key in chart["labels"]]
    labels = [str(text) for text in chart["labels"]]
    return shown(labels, english_names(labels) if names is None else names)


def shorten(text: str, size: int = LABEL_CHARS) -> str:
    """A long name (an instrument and its model) cut for a chart; its table has it in full."""
    return text if len(text) <= size else text[: size - 1] + "…"


def wide_chars(text: str) -> int:
    return sum(unicodedata.east_asian_width(char) in ("W", "F") for char in text)


def chart_svg(chart: dict, labels: list[str] | None = None) -> str:
    """The chart (``{"key", "kind": "bar"|"hbar", "labels", "series"}``) as an SVG string, with
    its ``chart_labels`` (given when the caller has them already)."""
    horizontal = chart.get("kind") == "hbar"
    labels = chart_labels(chart) if labels is None else labels
    height = max(300, 80 + 40 * len(labels)) if horizontal else 400
    config = {
        "js": [],
        "disable_xml_declaration": True,
        "style": STYLE,
        "width": 640,
        "height": height,
        "show_legend": len(chart["series"]) > 1,
        "legend_at_bottom": True,
        "truncate_label": -1,
        "x_label_rotation": 0 if horizontal or len(labels) <= 6 else 30,
        "print_values": False,
        "no_data_text": _("No data"),
    }
    if horizontal:
        # pygal sizes the label column as if every character were 0.6 em wide; a Chinese one is
        # a whole em, so the longest name needs that much more room on the left.
        labels = [shorten(text) for text in labels]
        extra = max((wide_chars(text) for text in labels), default=0) * 0.4 * STYLE.label_font_size
        config["margin_left"] = 20 + round(extra)
    first = chart["series"][0][0] if chart["series"] else ""
    config.update(_value_axis(first))
    drawing = (pygal.HorizontalBar if horizontal else pygal.Bar)(**config)
    drawing.x_labels = labels
    top = 0.0
    for series_key, values in chart["series"]:
        scale = 100 if series_key in RATE_SERIES else (Decimal("0.0001") if series_key in WAN_SERIES else 1)
        numbers = [None if (n := _number(v)) is None else n * float(scale) for v in values]
        top = max([top, *(n for n in numbers if n is not None)])
        title = label(series_key) + (_(" (10,000 yuan)") if series_key in WAN_SERIES else "")
        drawing.add(title, numbers, formatter=series_formatter(series_key))
    drawing.y_labels = nice_ticks(top)
    svg = drawing.render(is_unicode=True)
    return _COMMENT.sub("", _SCRIPT.sub("", svg))
