"""Region name resolution (kotacerdas.regions.naming): pure Python, no database, no Django."""

from __future__ import annotations

import csv
import pickle
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kotacerdas.regions.naming import (
    AmbiguousRegionName,
    Kind,
    RegionName,
    RegionNameError,
    RegionNameIndex,
    UnknownRegionName,
    load_aliases,
    load_index,
    load_registry,
    normalise,
)

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data" / "regions"
SEED_NAMES = Path(__file__).with_name("seed_names.csv")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


REGISTRY = load_registry(DATA_DIR)
INDEX = load_index(DATA_DIR)
# Every region name spelled exactly as the 2024 seed letter spells it: the 191 addressees of Lampiran I
# ("Bupati X" / "Walikota X") and the 140 rows of the national results table ("KAB. X" / "KOTA X").
SEED_ROWS = [(row["name"], row["code"]) for row in _read_csv(SEED_NAMES)]
ADDRESSEES = [(name, code) for name, code in SEED_ROWS if name.startswith(("Bupati ", "Walikota "))]
TABLE_NAMES = [(name, code) for name, code in SEED_ROWS if name.startswith(("KAB. ", "KOTA "))]


# --- the registry data -------------------------------------------------------------------------------


def test_registry_has_38_provinces_and_514_regencies_and_cities() -> None:
    assert len(_read_csv(DATA_DIR / "provinces.csv")) == 38
    assert len(REGISTRY) == 514
    assert len(INDEX) == 514


def test_registry_codes_are_unique_well_formed_and_within_a_known_province() -> None:
    provinces = {row["code"] for row in _read_csv(DATA_DIR / "provinces.csv")}
    rows = _read_csv(DATA_DIR / "regencies.csv")
    codes = [row["code"] for row in rows]
    assert len(set(codes)) == len(codes)
    for row in rows:
        assert len(row["code"]) == 5 and row["code"][2] == "." and row["code"].replace(".", "").isdigit()
        assert row["code"][:2] == row["province_code"]
        assert row["province_code"] in provinces


def test_every_registry_name_starts_with_kabupaten_or_kota() -> None:
    for row in _read_csv(DATA_DIR / "regencies.csv"):
        assert row["name"].startswith(("Kabupaten ", "Kota ")), row


def test_no_two_regions_share_kind_and_normalised_bare_name() -> None:
    keys = Counter((region.kind, normalise(region.bare).replace(" ", "")) for region in REGISTRY)
    assert [key for key, count in keys.items() if count > 1] == []


def test_registry_licence_and_source_note_are_kept_with_the_data() -> None:
    assert "Open Database License" in (DATA_DIR / "LICENSE-ODbL.md").read_text(encoding="utf-8")
    source = (DATA_DIR / "SOURCE.md").read_text(encoding="utf-8")
    for fact in (
        "idn-area-data",
        "4.0.1",
        "github.com/fityannugroho/idn-area-data",
        "ODbL",
        "refresh-regions",
    ):
        assert fact in source


# --- every spelling in the 2024 seed -----------------------------------------------------------------


def test_seed_names_file_lists_191_addressees_and_140_table_rows() -> None:
    assert len(ADDRESSEES) == 191
    assert len(TABLE_NAMES) == 140
    assert len(SEED_ROWS) == 191 + 140


@pytest.mark.parametrize(("name", "code"), SEED_ROWS, ids=[name for name, _ in SEED_ROWS])
def test_every_seed_spelling_resolves_to_its_region(name: str, code: str) -> None:
    assert INDEX.resolve(name).code == code


def test_the_191_addressees_are_191_distinct_regions() -> None:
    assert len({INDEX.resolve(name) for name, _ in ADDRESSEES}) == 191


def test_every_national_table_name_resolves_to_a_region_among_the_addressees() -> None:
    addressed = {INDEX.resolve(name) for name, _ in ADDRESSEES}
    table = [INDEX.resolve(name) for name, _ in TABLE_NAMES]
    assert [region for region in table if region not in addressed] == []
    assert len(set(table)) == 140


def test_addressee_and_table_forms_agree_with_the_region() -> None:
    for name, code in ADDRESSEES:
        region = INDEX.resolve(code)
        expected_kind = Kind.KABUPATEN if name.startswith("Bupati ") else Kind.KOTA
        assert region.kind is expected_kind, name
    for name, code in TABLE_NAMES:
        region = INDEX.resolve(code)
        assert region.kind is (Kind.KABUPATEN if name.startswith("KAB. ") else Kind.KOTA), name


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Bupati Pematang", "33.27"),  # Lampiran I no. 91: Kabupaten Pemalang (documented alias)
        ("KOTA BUKITINGGI", "13.75"),  # national table no. 119: Kota Bukittinggi (documented alias)
        ("KAB. KONawe SELATAN", "74.05"),  # odd case
        ("KAB. WAKATOBİ", "74.07"),  # dotted capital İ
        ("Bupati Toba", "12.12"),
        ("Bupati Lima Puluh Kota", "13.07"),  # ends in "Kota" but is a kabupaten
        ("Bupati Kotawaringin Timur", "62.02"),  # begins like "Kota"
    ],
)
def test_seed_oddities_resolve(name: str, code: str) -> None:
    assert INDEX.resolve(name).code == code


# --- accepted forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "51.03",
        " 51.03 ",
        "KAB. BADUNG",
        "Kab Badung",
        "Kab.Badung",
        "kabupaten   badung",
        "Kabupaten Badung",
        "Bupati Badung",
        "Badung",
        "BADUNG",
        "  badung\t",
    ],
)
def test_every_documented_form_of_badung_resolves(text: str) -> None:
    assert INDEX.resolve(text) == RegionName("51.03", "Kabupaten Badung")


@pytest.mark.parametrize(
    "text",
    ["KOTA BANDUNG", "Kota Bandung", "Walikota Bandung", "Wali Kota Bandung", "WALIKOTA BANDUNG", "32.73"],
)
def test_every_documented_form_of_kota_bandung_resolves(text: str) -> None:
    assert INDEX.resolve(text).code == "32.73"


@pytest.mark.parametrize(("text", "code"), [("KAB. BANDUNG", "32.04"), ("Bupati Bandung", "32.04")])
def test_a_kabupaten_prefix_picks_the_kabupaten(text: str, code: str) -> None:
    assert INDEX.resolve(text).code == code


@pytest.mark.parametrize(
    ("spellings", "code"),
    [
        (["Kulonprogo", "Kulon Progo", "KAB. KULON PROGO", "Bupati Kulon-Progo"], "34.01"),
        (["Gunungkidul", "Gunung Kidul", "KAB. GUNUNG KIDUL"], "34.03"),
        (["Bau-Bau", "Bau Bau", "Baubau", "KOTA BAU-BAU", "Walikota Baubau"], "74.72"),
        (["Tanjungpinang", "Tanjung Pinang", "Walikota Tanjung-Pinang"], "21.72"),
        (["Pangkal Pinang", "Pangkalpinang", "KOTA PANGKALPINANG"], "19.71"),
        (["Tanjung Balai", "Tanjungbalai"], "12.74"),
        (["Toli-Toli", "Tolitoli", "Toli Toli"], "72.04"),
    ],
)
def test_spaces_and_hyphens_inside_a_name_are_not_significant(spellings: list[str], code: str) -> None:
    assert {INDEX.resolve(text).code for text in spellings} == {code}


@pytest.mark.parametrize("text", ["Kotabaru", "Kota Baru", "KAB. KOTABARU", "Bupati Kota Baru"])
def test_a_bare_name_that_begins_like_the_kota_prefix_still_resolves(text: str) -> None:
    assert INDEX.resolve(text).code == "63.02"  # Kabupaten Kotabaru


@pytest.mark.parametrize(
    "text",
    ["Jakarta Pusat", "KOTA JAKARTA PUSAT", "Kota Administrasi Jakarta Pusat", "Kota Adm. Jakarta Pusat"],
)
def test_jakarta_administrative_cities_resolve_with_or_without_administrasi(text: str) -> None:
    assert INDEX.resolve(text).code == "31.71"


def test_diacritics_and_case_are_ignored() -> None:
    assert INDEX.resolve("KAB. WAKATOBİ").code == "74.07"
    assert INDEX.resolve("Wakatobí").code == "74.07"
    assert INDEX.resolve("BUPATİ BADUNG").code == "51.03"


def test_every_registry_region_resolves_from_each_of_its_forms() -> None:
    for region in REGISTRY:
        for text in (region.code, region.name, region.table_name, region.head_title, region.name.upper()):
            assert INDEX.resolve(text) == region, text


# --- errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes"),
    [("Bandung", {"32.04", "32.73"}), ("Malang", {"35.07", "35.73"}), ("malang", {"35.07", "35.73"})],
)
def test_a_bare_name_of_both_a_kabupaten_and_a_kota_is_ambiguous_and_lists_both(
    text: str, codes: set[str]
) -> None:
    with pytest.raises(AmbiguousRegionName) as caught:
        INDEX.resolve(text)
    assert {region.code for region in caught.value.candidates} == codes
    assert caught.value.name == text
    for region in caught.value.candidates:
        assert f"{region.name} ({region.code})" in str(caught.value)


def test_an_unambiguous_bare_name_resolves() -> None:
    assert INDEX.resolve("Badung").name == "Kabupaten Badung"


def test_a_typo_is_unknown_and_lists_the_closest_candidates() -> None:
    with pytest.raises(UnknownRegionName) as caught:
        INDEX.resolve("Bandunk")
    error = caught.value
    assert error.name == "Bandunk"
    assert RegionName("32.04", "Kabupaten Bandung") in error.candidates
    assert str(error).startswith("Daerah 'Bandunk' tidak dikenal. Yang paling mirip: ")
    assert "Kabupaten Bandung (32.04)" in str(error)
    assert len(error.candidates) <= 5


def test_a_typo_is_never_auto_corrected() -> None:
    for text in ("Bupati Pemalangg", "KOTA BUKITTINGGGI", "Badungg", "Sleman Barat"):
        with pytest.raises(UnknownRegionName):
            INDEX.resolve(text)


def test_a_prefix_of_the_wrong_kind_is_unknown_and_suggests_the_region_of_the_other_kind() -> None:
    with pytest.raises(UnknownRegionName) as caught:
        INDEX.resolve("Kota Badung")
    assert caught.value.candidates[0].code == "51.03"
    with pytest.raises(UnknownRegionName):
        INDEX.resolve("Walikota Pematang")  # the alias names a kabupaten


def test_region_errors_are_value_errors_and_survive_pickling() -> None:
    with pytest.raises(ValueError, match="Nama daerah 'Bandung' ambigu"):
        INDEX.resolve("Bandung")
    try:
        INDEX.resolve("Bandunk")
    except RegionNameError as error:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is UnknownRegionName
        assert (copy.name, copy.candidates, str(copy)) == (error.name, error.candidates, str(error))


def test_a_gibberish_name_is_unknown_with_no_candidates() -> None:
    with pytest.raises(UnknownRegionName) as caught:
        INDEX.resolve("qqqqqqxz")
    assert caught.value.candidates == ()
    with pytest.raises(UnknownRegionName):
        INDEX.resolve("")


def test_a_code_resolves_and_an_unknown_code_is_an_error_with_nearby_codes() -> None:
    assert INDEX.resolve("51.03").name == "Kabupaten Badung"
    assert INDEX.resolve("74.72").name == "Kota Bau Bau"
    with pytest.raises(UnknownRegionName) as caught:
        INDEX.resolve("51.30")
    assert RegionName("51.03", "Kabupaten Badung") in caught.value.candidates


def test_candidates_rank_the_closest_name_first_and_respect_the_limit() -> None:
    assert INDEX.candidates("Bandunk")[0].bare == "Bandung"
    assert len(INDEX.candidates("Bandunk", limit=1)) == 1
    assert INDEX.candidates("Bupati Bandunk")[0].code == "32.04"
    assert INDEX.candidates("Walikota Bandunk")[0].code == "32.73"
    assert INDEX.candidates("Badung", limit=0) == ()


# --- aliases -------------------------------------------------------------------------------------------


def test_every_alias_is_documented_and_names_a_registry_region() -> None:
    rows = _read_csv(DATA_DIR / "aliases.csv")
    assert rows, "aliases.csv lists at least Pematang"
    codes = {region.code for region in REGISTRY}
    for row in rows:
        assert list(row) == ["alias", "code", "source"]
        assert row["code"] in codes and row["source"].strip(), row
        with pytest.raises(UnknownRegionName):  # an alias is needed: no mechanical rule resolves it
            RegionNameIndex(REGISTRY).resolve(row["alias"])


@pytest.mark.parametrize(
    "text", ["Pematang", "pematang", "Bupati Pematang", "KAB. PEMATANG", "Kabupaten Pematang"]
)
def test_an_alias_matches_with_or_without_a_prefix(text: str) -> None:
    assert INDEX.resolve(text).name == "Kabupaten Pemalang"


def test_an_alias_adds_a_spelling_without_hiding_the_registry_name() -> None:
    assert INDEX.resolve("KAB. PEMALANG").code == "33.27"
    assert INDEX.resolve("Kota Pematangsiantar").code == "12.72"
    assert INDEX.resolve("Walikota Pematang Siantar").code == "12.72"


def test_an_index_refuses_aliases_it_cannot_honour() -> None:
    with pytest.raises(ValueError, match="unknown region code"):
        RegionNameIndex(REGISTRY, {"Atlantis": "99.99"})
    with pytest.raises(ValueError, match="prefix"):
        RegionNameIndex(REGISTRY, {"Kota Pematang": "33.27"})


def test_an_index_refuses_duplicate_codes_and_indistinguishable_names() -> None:
    badung = RegionName("51.03", "Kabupaten Badung")
    with pytest.raises(ValueError, match="Duplicate"):
        RegionNameIndex([badung, badung])
    with pytest.raises(ValueError, match="Indistinguishable"):
        RegionNameIndex(
            [RegionName("34.01", "Kabupaten Kulon Progo"), RegionName("34.99", "Kabupaten Kulonprogo")]
        )


def test_load_aliases_names_the_file_line_and_field_of_a_bad_row(tmp_path: Path) -> None:
    (tmp_path / "aliases.csv").write_text(
        "alias,code,source\nPematang,33.27,2024 letter\nBukitinggi,13.75,\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"aliases\.csv, line 3, field source"):
        load_aliases(tmp_path)
    (tmp_path / "aliases.csv").write_text("alias,code,source\nPematang,3327,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2, field code"):
        load_aliases(tmp_path)
    (tmp_path / "aliases.csv").write_text(
        "alias,code,source\nPematang,33.27,x\nPEMATANG,13.75,y\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"line 3, field alias"):
        load_aliases(tmp_path)


def test_load_registry_names_the_file_and_line_of_a_bad_row(tmp_path: Path) -> None:
    (tmp_path / "regencies.csv").write_text(
        "code,province_code,name\n51.03,51,Kabupaten Badung\n51.4,51,Kabupaten Gianyar\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"regencies\.csv, line 3: .*NN\.NN"):
        load_registry(tmp_path)
    (tmp_path / "regencies.csv").write_text("kode,nama\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: missing column"):
        load_registry(tmp_path)


# --- RegionName forms and normalise --------------------------------------------------------------------


def test_region_name_gives_kind_bare_table_name_and_head_title() -> None:
    badung = RegionName("51.03", "Kabupaten Badung")
    assert (badung.kind, badung.bare, badung.table_name, badung.head_title) == (
        Kind.KABUPATEN,
        "Badung",
        "KAB. BADUNG",
        "Bupati Badung",
    )
    bandung = RegionName("32.73", "Kota Bandung")
    assert (bandung.kind, bandung.bare, bandung.table_name, bandung.head_title) == (
        Kind.KOTA,
        "Bandung",
        "KOTA BANDUNG",
        "Walikota Bandung",
    )
    assert RegionName("31.71", "Kota Administrasi Jakarta Pusat").table_name == "KOTA JAKARTA PUSAT"


def test_region_name_refuses_a_malformed_code_or_name() -> None:
    with pytest.raises(ValueError):
        RegionName("5103", "Kabupaten Badung")
    with pytest.raises(ValueError):
        RegionName("51.03", "Badung")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KAB. WAKATOBİ", "kab wakatobi"),
        ("  Walikota   Bau-Bau ", "walikota bau bau"),
        ("Kab.,Badung", "kab badung"),
        ("Bau–Bau", "bau bau"),
        ("Kota\u00a0Bandung", "kota bandung"),
        ("Wakatobí", "wakatobi"),
    ],
)
def test_normalise_folds_case_strips_diacritics_and_collapses_separators(text: str, expected: str) -> None:
    assert normalise(text) == expected


@given(st.text())
def test_normalise_is_idempotent_and_leaves_no_stray_separators(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == once.strip() and "  " not in once


# --- engineering properties ----------------------------------------------------------------------------


def test_naming_module_imports_no_django() -> None:
    code = "import sys, kotacerdas.regions.naming; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_resolution_is_a_constant_time_lookup() -> None:
    names = [name for name, _ in SEED_ROWS]
    start = time.perf_counter()
    for i in range(20_000):
        INDEX.resolve(names[i % len(names)])
    # About 0.1 s here; a linear scan with difflib would take minutes.
    assert time.perf_counter() - start < 10
