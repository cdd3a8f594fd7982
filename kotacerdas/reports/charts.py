"""Charts as Vega-Lite specifications, rendered to SVG by vl-convert; the same SVG serves pages and PDFs."""

import threading
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import vl_convert

from kotacerdas.reports import formats

# d3-format has no Indonesian locale: decimal comma, dot for thousands.
INDONESIAN_NUMBERS = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}
FONT = "Libertinus Serif"
PREVIOUS_COLOUR = "#9fb7cf"
CURRENT_COLOUR = "#1f4e79"
FINAL_LABEL = "Nilai Final"
# Axis labels longer than this (in characters) wrap at their spaces.
WRAP_AFTER = 10

# vl-convert runs one JavaScript engine per process; calls from several threads are serialised here.
_lock = threading.Lock()


@dataclass(frozen=True)
class Bar:
    group: str
    year: int
    score: Decimal


def comparison_spec(bars: list[Bar], *, years: tuple[int, int], width: int = 430) -> dict[str, Any]:
    """Grouped bars: each dimension (and the final index) with one bar per year that has a value."""
    groups = list(dict.fromkeys(b.group for b in bars))
    values = [
        {"group": b.group, "year": str(b.year), "score": float(b.score), "label": formats.score(b.score)}
        for b in bars
    ]
    year_domain = [str(y) for y in years]
    encoding = {
        "x": {
            "field": "group",
            "type": "nominal",
            "sort": groups,
            "title": None,
            "axis": {
                "labelAngle": 0,
                "labelFontSize": 11,
                # Two-word names ("Program Kolaborasi", "Nilai Final") on two lines: never cut off.
                "labelExpr": f"length(datum.label) > {WRAP_AFTER} ? split(datum.label, ' ') : datum.label",
                "labelLimit": 0,
                "labelLineHeight": 13,
                "domain": False,
                "ticks": False,
            },
        },
        "xOffset": {"field": "year", "sort": year_domain, "scale": {"domain": year_domain}},
        "y": {
            "field": "score",
            "type": "quantitative",
            "scale": {"domain": [0, 4]},
            "title": "Nilai (skala 1–4)",
            "axis": {"format": ".1f", "tickCount": 4, "grid": True, "labelFontSize": 10, "titleFontSize": 11},
        },
        "color": {
            "field": "year",
            "type": "nominal",
            "scale": {"domain": year_domain, "range": [PREVIOUS_COLOUR, CURRENT_COLOUR]},
            "legend": {"title": None, "orient": "top", "labelFontSize": 11, "symbolType": "square"},
        },
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": width,
        "height": 210,
        "data": {"values": values},
        "encoding": encoding,
        "layer": [
            {"mark": {"type": "bar", "width": {"band": 0.9}}},
            {
                "mark": {"type": "text", "dy": -6, "fontSize": 9.5, "color": "#222"},
                "encoding": {"text": {"field": "label"}, "color": {"value": "#222"}},
            },
        ],
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"gridColor": "#e3e8ee", "labelColor": "#222", "titleColor": "#222"},
            "background": "white",
        },
    }


def render_svg(spec: dict[str, Any]) -> str:
    with _lock:
        return str(vl_convert.vegalite_to_svg(spec, format_locale=INDONESIAN_NUMBERS))
