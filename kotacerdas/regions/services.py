"""The region registry in the database, and resolving the names users type to regions."""

import csv
from functools import lru_cache

from django.conf import settings
from django.db import transaction

from kotacerdas.regions.models import Province, Region
from kotacerdas.regions.naming import RegionNameIndex, load_aliases, load_registry

REGISTRY_DIR = settings.DATA_DIR / "regions"


@transaction.atomic
def load_registry_into_db() -> tuple[int, int]:
    """Create or update the 38 provinces and 514 regencies/cities; return how many of each were created."""
    with (REGISTRY_DIR / "provinces.csv").open(encoding="utf-8", newline="") as handle:
        provinces = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    existing = {p.code: p for p in Province.objects.all()}
    created_provinces = 0
    for code, name in provinces.items():
        province = existing.get(code)
        if province is None:
            existing[code] = Province.objects.create(code=code, name=name)
            created_provinces += 1
        elif province.name != name:
            province.name = name
            province.save(update_fields=["name"])
    regions = {r.code: r for r in Region.objects.all()}
    created_regions = 0
    to_create = []
    for entry in load_registry(REGISTRY_DIR):
        region = regions.get(entry.code)
        province = existing[entry.code.split(".")[0]]
        if region is None:
            to_create.append(Region(code=entry.code, name=entry.name, province=province))
        elif region.name != entry.name or region.province_id != province.pk:
            region.name, region.province = entry.name, province
            region.save(update_fields=["name", "province"])
    Region.objects.bulk_create(to_create)
    created_regions = len(to_create)
    region_index.cache_clear()
    return created_provinces, created_regions


@lru_cache(maxsize=1)
def region_index() -> RegionNameIndex:
    """The name index over the registry file and its documented aliases (cached: the files are static)."""
    return RegionNameIndex(load_registry(REGISTRY_DIR), load_aliases(REGISTRY_DIR))


class RegionResolver:
    """Resolves names to Region rows, memoising both the name and the row (imports resolve many rows)."""

    def __init__(self) -> None:
        self._index = region_index()
        self._by_code: dict[str, Region] = {}
        self._by_text: dict[str, Region] = {}

    def resolve(self, text: str) -> Region:
        """The region ``text`` names; raises ``RegionNameError`` (with candidates) for none or several."""
        key = text.strip()
        region = self._by_text.get(key)
        if region is None:
            code = self._index.resolve(key).code
            region = self._by_code.get(code)
            if region is None:
                if not self._by_code:
                    self._by_code = {r.code: r for r in Region.objects.select_related("province")}
                region = self._by_code[code]
            self._by_text[key] = region
        return region


def resolve_region(text: str) -> Region:
    return RegionResolver().resolve(text)
