"""The public national table's reading: search, filters (track, province, island group), sorting and
server-side pagination over the published rows.

Island groups are derived from the province's Kemendagri code, whose first digit numbers the island group
(1 Sumatra, 3 Java, 5 Bali and Nusa Tenggara, 6 Kalimantan, 7 Sulawesi, 8 Maluku, 9 Papua); the one
exception is 21 (Kepulauan Riau, split from Riau in 2002), which belongs to Sumatra's group. The mapping
is ``ISLAND_GROUPS`` below and is documented in docs/open-data.md.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.http import QueryDict
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kotacerdas.cycles.models import Track
from kotacerdas.results.models import ResultSet
from kotacerdas.results.table import TableRow, build_table

PAGE_SIZE = 25

# Island group code → its name; the province codes' first digit (and 21, Kepulauan Riau) select it.
ISLAND_GROUPS: dict[str, Promise] = {
    "sumatera": _("Sumatera"),
    "jawa": _("Jawa"),
    "bali-nusa-tenggara": _("Bali dan Nusa Tenggara"),
    "kalimantan": _("Kalimantan"),
    "sulawesi": _("Sulawesi"),
    "maluku": _("Maluku"),
    "papua": _("Papua"),
}
_BY_FIRST_DIGIT = {
    "1": "sumatera",
    "2": "sumatera",
    "3": "jawa",
    "5": "bali-nusa-tenggara",
    "6": "kalimantan",
    "7": "sulawesi",
    "8": "maluku",
    "9": "papua",
}
SORTABLE = {"rank", "rank_track", "region", "track", "final", "improvement"}


def island_group(province_code: str) -> str:
    """``"51"`` → ``"bali-nusa-tenggara"``; an unknown code → ``""``."""
    return _BY_FIRST_DIGIT.get(province_code[:1], "")


def _folded(text: str) -> str:
    """Lower case without diacritics or punctuation, for a forgiving search (``kab badung`` finds
    ``KAB. BADUNG``)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


@dataclass(frozen=True)
class TableQuery:
    """What the visitor asked of the table, each part validated (an unknown value means "all")."""

    q: str
    track: str
    province: str
    island: str
    sort: str
    descending: bool
    page: str

    @classmethod
    def from_get(cls, params: QueryDict, *, dimension_codes: set[str]) -> "TableQuery":
        sort = params.get("sort", "rank")
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        if key not in SORTABLE | dimension_codes:
            key, descending = "rank", False
        track = params.get("track", "")
        island = params.get("island", "")
        return cls(
            q=params.get("q", "").strip()[:100],
            track=track if track in Track.values else "",
            province=params.get("province", "").strip()[:2],
            island=island if island in ISLAND_GROUPS else "",
            sort=key,
            descending=descending,
            page=params.get("page", "1"),
        )


def public_rows(result_set: ResultSet, query: TableQuery) -> list[TableRow]:
    """The published rows the query selects, sorted as asked (absent values last either way)."""
    rows = []
    needle = _folded(query.q)
    for row in build_table(result_set, track=query.track):
        province_code = row.region_code.split(".")[0]
        if query.province and province_code != query.province:
            continue
        if query.island and island_group(province_code) != query.island:
            continue
        if needle and not (
            needle in _folded(row.region)
            or row.region_code.startswith(query.q)
            or needle in _folded(row.province)
        ):
            continue
        rows.append(row)

    def sort_key(row: TableRow) -> tuple[bool, object]:
        # A key that is not a column of the row is a dimension code (validated by ``TableQuery``).
        value = getattr(row, query.sort) if query.sort in SORTABLE else row.scores.get(query.sort)
        return (value is None, value if value is not None else Decimal(0))

    rows.sort(key=sort_key, reverse=query.descending)
    if query.descending:  # keep absent values last either way
        rows.sort(key=lambda r: sort_key(r)[0])
    return rows


def paginate(rows: list[TableRow], page: str) -> Page:  # type: ignore[type-arg]
    """One page of the rows (an out-of-range or malformed page number shows the nearest page)."""
    return Paginator(rows, PAGE_SIZE).get_page(page)


@dataclass(frozen=True)
class DisplayRow:
    """One row of the national table as the page shows it: every cell's text made here, once, rather than
    by template filters cell by cell (the page's render time was mostly those filter calls)."""

    rank: str
    rank_track: str
    url: str
    region: str
    province: str
    region_code: str
    track: str
    scores: list[str]
    final: str
    improvement: str
    trend: str  # "up", "down" or ""


def display_rows(
    rows: Iterable[TableRow], dimension_keys: list[str], *, year: int, live: bool
) -> list[DisplayRow]:
    from kotacerdas.dashboard.templatetags.kc import ranked, score, signed

    suffix = "?live=1" if live else ""
    out = []
    for row in rows:
        improvement = row.improvement
        out.append(
            DisplayRow(
                rank=ranked(row),
                rank_track=str(row.rank_track) if row.rank_track else "–",
                url=reverse("dashboard:region_result", args=[year, row.region_code]) + suffix,
                region=row.region,
                province=row.province,
                region_code=row.region_code,
                track=row.track,
                scores=[score(row.scores.get(key)) for key in dimension_keys],
                final=score(row.final),
                improvement=signed(improvement),
                trend=""
                if improvement is None
                else "up"
                if improvement > 0
                else "down"
                if improvement < 0
                else "",
            )
        )
    return out
