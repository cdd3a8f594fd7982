"""The canonical content of an instrument, its content hash, and the instrument file written back.

- :func:`document_content` and :func:`instrument_content` give the canonical content of a (valid) document
  and of a stored instrument: the same dict for the same instrument, whatever its source (a file, a copy
  for a new cycle, the admin's edits). The content hash is the SHA-256 of its canonical JSON
  (:func:`content_digest`), exposed as ``Instrument.content_hash``;
- :func:`render_instrument` writes a stored instrument in the ``data/instrument/`` format, which
  ``document.read_instrument_file`` and the import read back as the same content.

The content is what the file describes: scale, track weights, dimensions (code, names, kind, description,
elements), indicators (name, smart dimension) and questions (number, sub-dimension, sub-indicator, text,
``levels``, ``previous``). Not in it: the year and version (labels of the instrument), ids, load times.
"""

import hashlib
import json
from decimal import Decimal
from typing import Any

import yaml

from kotacerdas.cycles.models import Track
from kotacerdas.instrument.models import (
    Dimension,
    DimensionKind,
    Indicator,
    Instrument,
    Question,
    TrackWeight,
)


def _weight_key(weight: Decimal) -> str:
    """``0.1`` for 0.10 and 0.1000 alike: the content, not its spelling."""
    return format(weight.normalize(), "f")


def _track_order(code: str) -> int:
    return Track.values.index(code) if code in Track.values else len(Track.values)


def document_content(document: dict[str, Any]) -> dict[str, Any]:
    """The canonical content of a *valid* document: what storing it keeps, as :func:`instrument_content`
    gives it back for the stored instrument."""
    tracks = sorted(document["tracks"], key=lambda t: _track_order(t["code"]))
    return {
        "scale": {"min": document["scale"]["min"], "max": document["scale"]["max"]},
        "tracks": [
            {
                "code": t["code"],
                "weights": {str(d): _weight_key(Decimal(str(w))) for d, w in t["weights"].items()},
            }
            for t in tracks
        ],
        "dimensions": [
            {
                "code": d["code"],
                "name": d.get("name") or d["code"],
                "name_id": d.get("name_id") or "",
                "kind": d["kind"],
                "description": d.get("description") or "",
                "elements": [
                    {"name": e["name"], "description": e.get("description") or ""}
                    for e in d.get("elements") or []
                ],
                "indicators": [
                    {
                        "name": ind["name"],
                        "smart_dimension": ind.get("smart_dimension") or "",
                        "questions": sorted(
                            (
                                {
                                    "number": q["number"],
                                    "sub_dimension": q.get("sub_dimension") or "",
                                    "sub_indicator": q.get("sub_indicator") or "",
                                    "text": q["text"],
                                    "levels": {str(k): v for k, v in (q.get("levels") or {}).items()},
                                    "previous": q.get("previous"),
                                }
                                for q in ind.get("questions") or []
                            ),
                            key=lambda q: q["number"],
                        ),
                    }
                    for ind in d.get("indicators") or []
                ],
            }
            for d in document["dimensions"]
        ],
    }


def instrument_content(instrument: Instrument) -> dict[str, Any]:
    """The canonical content of a stored instrument (see the module's docstring)."""
    dimensions = list(Dimension.objects.filter(instrument=instrument).order_by("order", "pk"))
    indicators: dict[int, list[Indicator]] = {}
    for indicator in Indicator.objects.filter(dimension__instrument=instrument).order_by("order", "pk"):
        indicators.setdefault(indicator.dimension_id, []).append(indicator)
    questions: dict[int, list[Question]] = {}
    for q in Question.objects.filter(instrument=instrument).select_related("previous").order_by("number"):
        questions.setdefault(q.indicator_id, []).append(q)
    weights: dict[str, dict[str, str]] = {}
    for tw in TrackWeight.objects.filter(dimension__instrument=instrument).select_related("dimension"):
        weights.setdefault(tw.track, {})[tw.dimension.code] = _weight_key(tw.weight)
    return {
        "scale": {"min": instrument.scale_min, "max": instrument.scale_max},
        "tracks": [{"code": code, "weights": weights[code]} for code in sorted(weights, key=_track_order)],
        "dimensions": [
            {
                "code": d.code,
                "name": d.name,
                "name_id": d.name_id,
                "kind": d.kind,
                "description": d.description,
                "elements": [
                    {"name": str(e.get("name", "")), "description": str(e.get("description") or "")}
                    for e in d.elements or []
                ],
                "indicators": [
                    {
                        "name": ind.name,
                        "smart_dimension": ind.smart_dimension,
                        "questions": [
                            {
                                "number": q.number,
                                "sub_dimension": q.sub_dimension,
                                "sub_indicator": q.sub_indicator,
                                "text": q.text,
                                "levels": {str(k): v for k, v in (q.levels or {}).items()},
                                "previous": q.previous.number if q.previous is not None else None,
                            }
                            for q in questions.get(ind.pk, [])
                        ],
                    }
                    for ind in indicators.get(d.pk, [])
                ],
            }
            for d in dimensions
        ],
    }


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 (hex) of the content as canonical JSON: keys sorted, no spaces, UTF-8."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- writing --------------------------------------------------------------------------------------------


def _weight_text(key: str) -> str:
    """A weight as the files write it: a string with at least two decimals (``"0.10"``, ``"0.125"``)."""
    whole, _, decimals = key.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def render_instrument(instrument: Instrument) -> str:
    """The instrument as a YAML file in the ``data/instrument/`` format, which :func:`read_instrument_file`
    and the import read back as the same content. Every question carries ``previous`` (a number, or null)
    and, when it has a rubric, ``levels``."""
    cycle = instrument.cycle
    content = instrument_content(instrument)
    order = [d["code"] for d in content["dimensions"]]
    smart = {
        ind["smart_dimension"]: ind["name"]
        for d in content["dimensions"]
        if d["kind"] == DimensionKind.SURVEY
        for ind in d["indicators"]
        if ind["smart_dimension"]
    }
    document: dict[str, Any] = {
        "year": cycle.year,
        "version": instrument.version,
        "scale": content["scale"],
        "tracks": [
            {
                "code": t["code"],
                "weights": {code: _weight_text(t["weights"][code]) for code in order if code in t["weights"]},
            }
            for t in content["tracks"]
        ],
    }
    if smart:
        document["smart_dimensions"] = smart
    document["dimensions"] = [_dimension_entry(d) for d in content["dimensions"]]
    previous = cycle.previous.year if cycle.previous is not None else None
    header = (
        f"# The {cycle.year} instrument (version {instrument.version}), written by "
        "`kotacerdas export-instrument`.\n"
        + (
            f"# previous: the same question's number in the {previous} instrument; "
            "null when it is new or not comparable.\n"
            if previous is not None
            else "# previous: null everywhere (the cycle has no previous cycle).\n"
        )
        + "# levels (optional): what each level of the scale means for the question, shown as its rubric.\n"
    )
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    return header + body


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as the hand-written files have them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _dimension_entry(d: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"code": d["code"], "name": d["name"]}
    if d["name_id"]:
        entry["name_id"] = d["name_id"]
    entry["kind"] = d["kind"]
    if d["description"]:
        entry["description"] = d["description"]
    if d["elements"]:
        entry["elements"] = d["elements"]
    entry["indicators"] = [
        {
            "name": ind["name"],
            **({"smart_dimension": ind["smart_dimension"]} if ind["smart_dimension"] else {}),
            "questions": [_question_entry(q) for q in ind["questions"]],
        }
        for ind in d["indicators"]
    ]
    return entry


def _question_entry(q: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"number": q["number"]}
    if q["sub_dimension"]:
        entry["sub_dimension"] = q["sub_dimension"]
    if q["sub_indicator"]:
        entry["sub_indicator"] = q["sub_indicator"]
    entry["text"] = q["text"]
    if q["levels"]:
        entry["levels"] = {int(k): v for k, v in sorted(q["levels"].items(), key=lambda kv: int(kv[0]))}
    entry["previous"] = q["previous"]
    return entry
