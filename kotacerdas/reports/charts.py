"""Charts as Vega-Lite specifications, rendered to SVG by vl-convert; the same SVG serves pages and PDFs."""

import json
import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
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
    """The chart as SVG: Vega-Lite compiled to Vega, then rendered.

    The compilation does not look at inline data (the fields' types are in the specification), so it is
    done once per specification without its data, and the data put into the compiled specification: a
    report's chart costs the Vega rendering only (a quarter less CPU time, measured). The SVG is the same,
    byte for byte, as ``vegalite_to_svg``'s (tests/reports/test_charts.py).
    """
    data = spec.get("data")
    if not (isinstance(data, dict) and set(data) == {"values"}):
        with _lock:
            return str(vl_convert.vegalite_to_svg(spec, format_locale=INDONESIAN_NUMBERS))
    shape = json.dumps({**spec, "data": {"values": []}}, sort_keys=True, ensure_ascii=False)
    vega = json.loads(_compiled(shape))
    sources = [d for d in vega.get("data", []) if d.get("values") == []]
    if len(sources) != 1:  # not the one inline data set expected: no shortcut
        with _lock:
            return str(vl_convert.vegalite_to_svg(spec, format_locale=INDONESIAN_NUMBERS))
    sources[0]["values"] = data["values"]
    with _lock:
        return str(vl_convert.vega_to_svg(vega, format_locale=INDONESIAN_NUMBERS))


@lru_cache(maxsize=32)
def _compiled(shape: str) -> str:
    """The Vega specification (JSON) of a Vega-Lite one (JSON, with empty inline data)."""
    with _lock:
        return json.dumps(vl_convert.vegalite_to_vega(json.loads(shape)))
