"""The data of the documents: plain, JSON-ready dicts with every number and date already formatted.

``build_cycle_part`` makes what all of a cycle's documents share (the letter, its list of addressees, the
national table, the cycle's prose and method); ``build_region_part`` adds one region's results, the chart
and its assessors' findings. The renderers (``render.py``, ``workbook.py``) turn the data into bytes.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kotacerdas.cycles.models import Attendance, Cycle, FillingRecord, Participation, Track
from kotacerdas.instrument.models import Dimension
from kotacerdas.instrument.services import track_weights
from kotacerdas.reports import charts, formats
from kotacerdas.reports.models import ReportContent
from kotacerdas.results.detail import DimensionDetail, region_detail
from kotacerdas.results.models import HistoricalFinal, Provenance, RegionResult, ResultSet
from kotacerdas.results.services import latest_published
from kotacerdas.results.table import TableRow, build_table

TRACK_PHRASES = {
    Track.REGULER: "jalur reguler",
    Track.KPPN_IKN: "Kawasan Pariwisata Prioritas Nasional dan Ibu Kota Negara (jalur KPPN IKN)",
}
LEGAL_NOTES = [
    "UU ITE No. 11 Tahun 2008 Pasal 5 ayat 1: “Informasi Elektronik dan/atau Dokumen Elektronik dan/atau "
    "hasil cetaknya merupakan alat bukti hukum yang sah.”",
]
FINDING_KINDS = (("strength", "Kekuatan"), ("weakness", "Kelemahan"), ("recommendation", "Rekomendasi"))


class ReportContentMissing(Exception):
    def __init__(self, cycle: Cycle):
        super().__init__(
            f"siklus {cycle.year} belum mempunyai isi laporan (gambaran umum, tujuan, metodologi): "
            "tambahkan di admin (Isi laporan) atau jalankan `kotacerdas load-demo`"
        )


@dataclass(frozen=True)
class CyclePart:
    """What every document of one result set shares; built once per batch, not once per region."""

    cycle_id: int
    result_set_id: int
    regions_with_results: int
    data: dict[str, Any]


def paragraphs(text: str) -> list[str]:
    blocks = [" ".join(block.split()) for block in text.replace("\r\n", "\n").split("\n\n")]
    return [b for b in blocks if b]


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def build_cycle_part(cycle: Cycle, result_set: ResultSet) -> CyclePart:
    try:
        content = cycle.report_content
    except ReportContent.DoesNotExist as exc:
        raise ReportContentMissing(cycle) from exc
    instrument = cycle.instrument
    dimensions = list(Dimension.objects.filter(instrument=instrument).order_by("order"))
    weights = track_weights(instrument)
    participations = list(
        Participation.objects.filter(cycle=cycle)
        .select_related("region")
        .order_by("addressee_no", "region__code")
    )
    table = sorted(build_table(result_set), key=lambda r: (not r.region.startswith("KAB."), r.region))
    facts = _facts(cycle, participations)
    absent = [p.region.table_name for p in participations if _did_not_take_part(p)]
    period = content.programme_period
    title = (
        f"Hasil Evaluasi Implementasi Kota Cerdas (Smart City) {cycle.stage} Tahun {cycle.year} "
        f"pada {facts['participants']} Kabupaten/Kota"
    )
    programme_line = f"Program {cycle.programme}" + (f" Periode Tahun {period}" if period else "")
    data = {
        "programme": cycle.programme,
        "year": str(cycle.year),
        "stage": cycle.stage,
        "place": cycle.letter_place,
        "letter": _letter(cycle, content, dimensions, weights, facts, absent),
        "addressees": _addressees(cycle, participations),
        # Lampiran III: the regions recorded as not having filled the self-assessment or not attended.
        "absent": [{"no": str(i), "region": name} for i, name in enumerate(absent, start=1)],
        "national": {
            "title": title,
            "subtitle": programme_line,
            "rows": [
                {
                    "no": str(i),
                    "region": row.region,
                    "scores": [_national_score(row, d.code) for d in dimensions],
                    "final": formats.score(row.final),
                    "improvement": formats.score(row.improvement, empty=""),
                    "track": row.track,
                }
                for i, row in enumerate(table, start=1)
            ],
            "dimensions": [d.name.upper() for d in dimensions],
            "note": (
                f"Tabel memuat {len(table)} kabupaten/kota yang memperoleh nilai; urutan menurut nama. "
                f"Tanda “{NOT_SCORED}”: dimensi jalur daerah itu tidak memperoleh nilai (dihitung 0); sel "
                "kosong: dimensi tidak berlaku bagi jalur daerah itu. "
                f"Revisi hasil {result_set.revision}."
            ),
        },
        "content": {
            "overview": paragraphs(content.overview),
            "objectives_intro": " ".join(content.objectives_intro.split()),
            "objectives": lines(content.objectives),
            "scope": paragraphs(content.scope),
            "scope_collaboration": paragraphs(content.scope_collaboration),
            "method": paragraphs(content.method),
            "aspects_intro": " ".join(content.method_aspects_intro.split()),
            "aspects": lines(content.method_aspects),
            "method_table": _method_table(content, dimensions, weights),
            # Which instrument the method applied: its version and the SHA-256 of its content.
            "instrument": {"version": instrument.version, "content_hash": instrument.content_hash},
        },
    }
    return CyclePart(
        cycle_id=cycle.pk, result_set_id=result_set.pk, regions_with_results=len(table), data=data
    )


NOT_SCORED = "-"


def _national_score(row: TableRow, code: str) -> str:
    """A dimension's cell of the national table, as the reference prints it: the score; "-" when the
    region's track has the dimension but it was not scored; empty when the track does not have it
    (REGULER regions and Program Kolaborasi)."""
    if code not in row.scores:
        return ""
    return formats.score(row.scores[code], empty=NOT_SCORED)


def _did_not_take_part(p: Participation) -> bool:
    return p.self_assessment == FillingRecord.NOT_FILLED or p.attendance == Attendance.ABSENT


def _facts(cycle: Cycle, participations: list[Participation]) -> dict[str, int]:
    """The letter's counts: counted from the records of each region (filled the self-assessment and
    attended the interview, or did not); a cycle imported as history keeps the counts its letter states."""
    stated = cycle.facts or {}
    filled = sum(
        p.self_assessment == FillingRecord.FILLED and p.attendance != Attendance.ABSENT
        for p in participations
    )
    counted = {
        "participants": len(participations),
        "filled_self_assessment": filled,
        "did_not_fill": sum(_did_not_take_part(p) for p in participations),
        "regular_regions": sum(p.track == Track.REGULER for p in participations),
        "priority_area_regions": sum(p.track == Track.KPPN_IKN for p in participations),
    }
    return {key: int(stated.get(key, value)) for key, value in counted.items()}


def _letter(
    cycle: Cycle,
    content: ReportContent,
    dimensions: list[Dimension],
    weights: dict[str, dict[str, Decimal]],
    facts: dict[str, int],
    absent: list[str],
) -> dict[str, Any]:
    names = {d.code: d.name for d in dimensions}
    notes = content.dimension_notes or {}
    period = f" periode {content.programme_period}" if content.programme_period else ""
    window = formats.date_range(cycle.interviews_start, cycle.interviews_end)
    points: list[dict[str, Any]] = [
        {
            "text": (
                f"Dari {formats.counted(facts['participants'])} kabupaten/kota peserta {cycle.programme}"
                f"{period}, sebanyak {formats.counted(facts['filled_self_assessment'])} kabupaten/kota telah "
                "mengisi penilaian mandiri (self-assessment) secara daring dan mengikuti wawancara evaluasi"
                + (f" yang berlangsung secara daring pada {window}" if window else "")
                + f". Sebanyak {formats.counted(facts['did_not_fill'])} kabupaten/kota lainnya tidak mengisi "
                "penilaian mandiri dan tidak mengikuti wawancara evaluasi"
                # The list is attached (Lampiran III) only when the platform's records name those regions.
                 + (" (daftar terlampir)." if absent else ".")
            ),
            "items": [],
        }
    ]
    track_counts = {Track.REGULER: facts["regular_regions"], Track.KPPN_IKN: facts["priority_area_regions"]}
    for track, phrase in TRACK_PHRASES.items():
        track_weights_ = weights.get(track)
        if not track_weights_:
            continue
        intro = (
            f"Penilaian bagi {formats.counted(track_counts[track])} kabupaten/kota {phrase} didasarkan pada "
            f"{formats.counted(len(track_weights_))} dimensi"
        )
        if track == Track.REGULER:
            items = [
                f"{names[code]} (bobot {formats.percent(w)}): {notes.get(code, '')}".rstrip(": ")
                for code, w in track_weights_.items()
            ]
            points.append({"text": f"{intro} dengan bobot sebagai berikut:", "items": items})
        else:
            listed = [f"{names[code]} ({formats.percent(w)})" for code, w in track_weights_.items()]
            extra = [c for c in track_weights_ if c not in weights.get(Track.REGULER, {})]
            added = " ".join(notes.get(c, "") for c in extra).strip()
            text = f"{intro}, yaitu {', '.join(listed[:-1])}, dan {listed[-1]}." + (
                f" {added}" if added else ""
            )
            points.append({"text": text, "items": []})
    indices = lines(content.indices)
    if indices:
        points.append({"text": "Hasil penilaian dinyatakan dalam dua indeks:", "items": indices})
    if content.findings_note.strip():
        points.append({"text": " ".join(content.findings_note.split()), "items": []})
    opening = (
        f"Merujuk pada undangan {cycle.name or 'evaluasi'}"
        + (f" Nomor {cycle.invitation_number}" if cycle.invitation_number else "")
        + (f" tanggal {formats.long_date(cycle.invitation_date)}" if cycle.invitation_date else "")
        + ", dengan hormat kami sampaikan hasil evaluasi implementasi kota cerdas (smart city) "
        "sebagai berikut:"
    )
    return {
        "number": cycle.letter_number,
        "date": formats.long_date(cycle.letter_date),
        "place": cycle.letter_place,
        "attachment": cycle.letter_attachment,
        "subject": cycle.letter_subject,
        "opening": opening,
        "points": [{"text": p["text"], "items": _punctuated(p["items"])} for p in points],
        "closing": " ".join(content.letter_closing.split()),
        "signatory_role": cycle.signatory_role,
        "signatory_name": " ".join(content.signatory_name.split()),
        "signatory_title": " ".join(content.signatory_title.split()),
        "copies": list(cycle.copies or []),
        "legal_notes": LEGAL_NOTES,
    }


def _punctuated(items: list[str]) -> list[str]:
    """List items as a sentence: each ends with a semicolon, the last with a full stop."""
    out = [item.rstrip(" ;.") for item in items]
    return [f"{item};" for item in out[:-1]] + [f"{item}." for item in out[-1:]]


def _addressees(cycle: Cycle, participations: list[Participation]) -> dict[str, Any]:
    listed = [
        (str(p.addressee_no or i), p.addressee or p.region.head_title)
        for i, p in enumerate(participations, start=1)
    ]
    half = (len(listed) + 1) // 2
    rows = []
    for i in range(half):
        right = listed[i + half] if i + half < len(listed) else ("", "")
        rows.append([*listed[i], *right])
    return {"number": cycle.letter_number, "date": formats.long_date(cycle.letter_date), "rows": rows}


def _method_table(
    content: ReportContent, dimensions: list[Dimension], weights: dict[str, dict[str, Decimal]]
) -> list[dict[str, Any]]:
    notes = content.dimension_notes or {}
    tracks = [t for t in (Track.REGULER, Track.KPPN_IKN) if t in weights]
    rows = []
    for d in dimensions:
        elements = [
            {"name": e.get("name", ""), "description": e.get("description", "")} for e in d.elements or []
        ]
        if not elements:
            elements = [{"name": d.name, "description": notes.get(d.code, "").rstrip(".")}]
        label = d.name_id if d.name_id and d.name_id != d.name else ""
        rows.append(
            {
                "dimension": f"{label} ({d.name})" if label else d.name,
                "weights": [
                    formats.percent(weights[t][d.code]) if d.code in weights[t] else "–" for t in tracks
                ],
                "elements": elements,
            }
        )
    return rows


def build_region_part(result: RegionResult, regions_ranked: int) -> dict[str, Any]:
    """One region's results, chart and findings (the region's own pages of its report)."""
    detail = region_detail(result)
    region = result.participation.region
    cycle = result.participation.cycle
    # The stored JSON keeps no key order on PostgreSQL (jsonb): the instrument's order is the order.
    order = dict(Dimension.objects.filter(instrument__cycle=cycle).values_list("code", "order"))
    detail.dimensions.sort(key=lambda d: order.get(d.code, 0))
    dimensions = [_dimension_table(d) for d in detail.dimensions]
    previous = _previous_year(result)
    interval = rank_interval(result)
    return {
        "code": region.code,
        "name": region.table_name,
        "long_name": region.name,
        "head_title": region.head_title,
        "track": result.track,
        "final": formats.score(result.final),
        "improvement": formats.signed_score(result.improvement),
        "previous_final": formats.score(result.previous_final),
        # Like-for-like improvement (rule 8): only the questions also asked in the previous cycle.
        "comparable": (
            None
            if result.improvement_comparable is None
            else {
                "improvement": formats.signed_score(result.improvement_comparable),
                "year": str((result.comparison or {}).get("previous_year") or ""),
                "not_comparable": ", ".join(
                    str(n) for n in (result.comparison or {}).get("not_comparable", [])
                ),
            }
        ),
        "rank": str(result.rank),
        # The 5th–95th percentile interval of the rank from `kotacerdas robustness`, when it has run.
        "rank_interval": f"({interval})" if interval else "",
        "ranked": str(regions_ranked),
        "rank_note": f"dari {regions_ranked} daerah" + ("; rentang 90% dalam kurung" if interval else ""),
        "dimensions": dimensions,
        "chart": _chart(detail.dimensions, result, cycle.year, previous),
        "findings": [
            {
                "title": title,
                "assessors": [
                    {
                        "name": a["assessor"],
                        "institution": a["institution"],
                        "items": [" ".join(t.split()) for t in a[kind]],
                    }
                    for a in detail.panel
                    if a[kind]
                ],
            }
            for kind, title in FINDING_KINDS
        ],
    }


def rank_interval(result: RegionResult) -> str:
    """The 5th–95th percentile interval of the national rank from ``robustness`` (``9–16``), or ``""``
    before it has run; printed after the rank: ``12 (9–16)``."""
    if result.rank_low is None or result.rank_high is None:
        return ""
    return f"{result.rank_low}–{result.rank_high}"


def _dimension_table(d: DimensionDetail) -> dict[str, Any]:
    rows = []
    previous: tuple[str, str] | None = None
    for q in d.questions:
        rows.append(
            {
                "indicator": q.indicator,
                "new_indicator": previous is None or q.indicator != previous[0],
                "sub_indicator": q.sub_indicator,
                "new_sub_indicator": previous is None or (q.indicator, q.sub_indicator) != previous,
                "question": f"{q.number}. {q.text}",
                "score": formats.score(q.score) if q.source != "missing" else "–",
            }
        )
        previous = (q.indicator, q.sub_indicator)
    # Consecutive rows of one indicator (and of one sub-indicator within it) share a merged cell.
    _spans(rows, "new_indicator", "indicator_span")
    _spans(rows, "new_sub_indicator", "sub_indicator_span")
    note = ""
    if d.score is None:
        note = "Dimensi ini tidak dinilai untuk daerah ini."
    elif not d.questions:
        note = (
            "Nilai per pertanyaan tidak tercatat di platform untuk daerah ini; "
            "nilai dimensi berasal dari hasil yang dipublikasikan."
        )
    elif d.missing:
        note = f"Pertanyaan tanpa nilai (dihitung 0): {', '.join(map(str, d.missing))}."
    return {
        "code": d.code,
        "name": d.name,
        "weight": formats.percent(d.weight),
        "score": formats.score(d.score, empty=NOT_SCORED),
        "score_label": "tidak dinilai" if d.score is None else f"rata-rata {formats.score(d.score)}",
        "rows": rows,
        "note": note,
    }


def _spans(rows: list[dict[str, Any]], starts: str, span: str) -> None:
    for i, row in enumerate(rows):
        if row[starts]:
            n = 1
            while i + n < len(rows) and not rows[i + n][starts]:
                n += 1
            row[span] = n


@dataclass(frozen=True)
class PreviousYear:
    year: int
    final: Decimal | None
    dimensions: dict[str, Decimal]
    provenance: str


def _previous_year(result: RegionResult) -> PreviousYear | None:
    cycle = result.participation.cycle
    region = result.participation.region
    year = cycle.year - 1
    published = latest_published(Cycle.objects.filter(year=year).first())
    if published is not None:
        row = RegionResult.objects.filter(result_set=published, participation__region=region).first()
        if row is not None:
            scores = {
                code: Decimal(entry["score"])
                for code, entry in row.dimensions.items()
                if entry.get("score") is not None
            }
            return PreviousYear(year, row.final, scores, Provenance.COMPUTED)
    historical = HistoricalFinal.objects.filter(region=region, year=year).first()
    if historical is not None:
        return PreviousYear(year, historical.final, {}, historical.provenance)
    if result.previous_final is not None:
        return PreviousYear(year, result.previous_final, {}, Provenance.IMPORTED)
    return None


def _chart(
    dimensions: list[DimensionDetail], result: RegionResult, year: int, previous: PreviousYear | None
) -> dict[str, Any]:
    bars: list[charts.Bar] = []
    for d in dimensions:
        if previous is not None and d.code in previous.dimensions:
            bars.append(charts.Bar(d.name, previous.year, previous.dimensions[d.code]))
        if d.score is not None:
            bars.append(charts.Bar(d.name, year, d.score))
    if previous is not None and previous.final is not None:
        bars.append(charts.Bar(charts.FINAL_LABEL, previous.year, previous.final))
    bars.append(charts.Bar(charts.FINAL_LABEL, year, result.final))
    previous_year = previous.year if previous is not None else year - 1
    note = ""
    if previous is None:
        note = (
            f"Tidak ada nilai tahun {previous_year} untuk daerah ini; grafik hanya memuat nilai tahun {year}."
        )
    elif not previous.dimensions:
        how = (
            "diturunkan dari tingkat improvement yang dipublikasikan"
            if previous.provenance == Provenance.DERIVED
            else "sebagaimana tercatat"
        )
        note = (
            f"Untuk tahun {previous_year} hanya nilai final yang tersedia "
            f"({formats.score(previous.final)}; {how}); nilai per dimensi tahun {previous_year} "
            "tidak tersedia, sehingga perbandingan per dimensi tidak dapat ditampilkan."
        )
    svg = charts.render_svg(charts.comparison_spec(bars, years=(previous_year, year)))
    return {
        "title": (
            f"Perbandingan Hasil Evaluasi Implementasi Kota Cerdas (Smart City) "
            f"Tahun {previous_year} dan {year}"
        ),
        "svg": svg,
        "note": note,
    }


def generated_label() -> str:
    now = timezone.localtime()
    return f"{formats.long_date(now.date())} pukul {now:%H.%M} WIB"
