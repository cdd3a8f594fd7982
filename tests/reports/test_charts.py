"""Charts: Vega-Lite compiled once per specification without its data, then rendered with each chart's data;
the SVG must be exactly what vl-convert makes from the whole Vega-Lite specification in one call."""

import random
from decimal import Decimal
from typing import Any

import pytest
import vl_convert

from kotacerdas.reports import charts

DIMENSIONS = ["Smart Governance", "Smart Branding", "Smart Economy", "Program Kolaborasi", charts.FINAL_LABEL]


def _direct(spec: dict[str, Any]) -> str:
    return str(vl_convert.vegalite_to_svg(spec, format_locale=charts.INDONESIAN_NUMBERS))


def _bars(rng: random.Random, years: tuple[int, int]) -> list[charts.Bar]:
    bars = []
    for name in DIMENSIONS:
        for year in years:
            if rng.random() < 0.8:  # some bars missing, as for a region without last year's dimensions
                bars.append(charts.Bar(name, year, Decimal(rng.randint(100, 400)) / 100))
    return bars


@pytest.mark.parametrize("seed", range(4))
def test_a_comparison_chart_is_the_same_svg_as_vl_converts_own(seed: int) -> None:
    rng = random.Random(seed)
    years = (2023, 2024) if seed % 2 else (2024, 2025)
    spec = charts.comparison_spec(_bars(rng, years), years=years)
    assert charts.render_svg(spec) == _direct(spec)


def test_charts_of_the_same_shape_share_one_compilation_and_keep_their_own_data() -> None:
    charts._compiled.cache_clear()
    rng = random.Random(7)
    fixed = [charts.Bar(name, year, Decimal("2.50")) for name in DIMENSIONS for year in (2023, 2024)]
    first = charts.comparison_spec(fixed, years=(2023, 2024))
    second = charts.comparison_spec(
        [charts.Bar(b.group, b.year, Decimal(rng.randint(100, 400)) / 100) for b in fixed], years=(2023, 2024)
    )
    one, two = charts.render_svg(first), charts.render_svg(second)
    assert charts._compiled.cache_info().misses == 1 and charts._compiled.cache_info().hits == 1
    assert one != two
    assert (one, two) == (_direct(first), _direct(second))


def test_a_chart_without_inline_data_is_rendered_in_one_call() -> None:
    spec = {
        "data": {"values": [{"a": "x", "b": 1}], "format": {"type": "json"}},
        "mark": "bar",
        "encoding": {"x": {"field": "a", "type": "nominal"}, "y": {"field": "b", "type": "quantitative"}},
    }
    charts._compiled.cache_clear()
    assert charts.render_svg(spec) == _direct(spec)
    assert charts._compiled.cache_info().misses == 0


def test_the_public_pages_distribution_chart_is_the_same_svg_as_vl_converts_own() -> None:
    from kotacerdas.dashboard.landing import Bin, distribution_spec

    bins = [
        Bin(Decimal("2.00"), Decimal("2.25"), {"REGULER": 3}),
        Bin(Decimal("2.25"), Decimal("2.50"), {"REGULER": 5, "KPPN IKN": 2}),
        Bin(Decimal("2.50"), Decimal("2.75"), {}),
    ]
    spec = distribution_spec(bins)
    assert charts.render_svg(spec) == _direct(spec)
