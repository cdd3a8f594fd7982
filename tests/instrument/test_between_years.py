"""The instrument between years (issue 9): export → edit → import, copies for a new cycle, the links of
each question to its counterpart (``previous``), the content hash, and files that are refused as a whole."""

import io
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.instrument.content import document_content
from kotacerdas.instrument.models import Dimension, Instrument, Question
from kotacerdas.instrument.services import (
    InstrumentError,
    copy_instrument,
    export_instrument,
    load_instrument,
)
from kotacerdas.results.imports import import_question_scores
from tests.conftest import INSTRUMENT_2024

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle_2025(cycle_2024: Cycle) -> Cycle:
    """A cycle in preparation made from 2024, with a copy of 2024's instrument."""
    cycle = Cycle.objects.create(year=2025, name="Siklus 2025", previous=cycle_2024)
    copy_instrument(cycle_2024, cycle, actor=CLI)
    return cycle


def _links(cycle: Cycle) -> dict[int, int | None]:
    """{question number: its counterpart's number in the previous cycle, or None}."""
    return {
        q.number: (q.previous.number if q.previous else None)
        for q in Question.objects.filter(instrument__cycle=cycle).select_related("previous")
    }


def _write(tmp_path: Path, text: str, name: str = "instrument.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _questions(document: dict) -> list[dict]:
    return [q for d in document["dimensions"] for i in d["indicators"] for q in i["questions"]]


def _question(document: dict, number: int) -> dict:
    return next(q for q in _questions(document) if q["number"] == number)


# --- copy ------------------------------------------------------------------------------------------------


def test_copy_links_every_question_to_its_counterpart(cycle_2024: Cycle, cycle_2025: Cycle) -> None:
    source, copy = cycle_2024.instrument, cycle_2025.instrument
    assert copy.version == "2025.1"
    assert _links(cycle_2025) == {number: number for number in range(1, 116)}
    q12 = copy.questions.select_related("previous__instrument").get(number=12)
    assert q12.previous is not None and q12.previous.instrument == source
    assert q12.text == source.questions.get(number=12).text
    assert list(Dimension.objects.filter(instrument=copy).values_list("code", flat=True)) == list(
        Dimension.objects.filter(instrument=source).values_list("code", flat=True)
    )
    event = AuditEvent.objects.get(action="instrument.copied")
    assert (event.actor_label, event.new["from"], event.new["questions"]) == ("cli", 2024, 115)


def test_copying_again_changes_nothing(cycle_2024: Cycle, cycle_2025: Cycle) -> None:
    before = (cycle_2025.instrument.pk, cycle_2025.instrument.content_hash, AuditEvent.objects.count())
    summary = copy_instrument(cycle_2024, cycle_2025, actor=CLI)
    assert summary.outcome == "unchanged" and not summary.created
    after = Instrument.objects.get(cycle=cycle_2025)
    assert (after.pk, after.content_hash, AuditEvent.objects.count()) == before
    assert Question.objects.filter(instrument__cycle=cycle_2025).count() == 115


def test_copy_into_a_cycle_not_made_from_the_source_is_refused(cycle_2024: Cycle) -> None:
    stranger = Cycle.objects.create(year=2027, name="2027")
    with pytest.raises(ValueError, match="was not made from 2024"):
        copy_instrument(cycle_2024, stranger, actor=CLI)
    assert not Instrument.objects.filter(cycle=stranger).exists()


def test_only_an_admin_or_a_system_actor_changes_an_instrument(
    cycle_2024: Cycle, operator_a, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    cycle = Cycle.objects.create(year=2025, name="2025", previous=cycle_2024)
    with pytest.raises(NotAllowed):
        copy_instrument(cycle_2024, cycle, actor=operator_a)
    with pytest.raises(NotAllowed):
        load_instrument(cycle, INSTRUMENT_2024, actor=operator_a)


# --- export and import -----------------------------------------------------------------------------------


def test_the_2024_export_is_the_data_file_with_previous_null(cycle_2024: Cycle) -> None:
    exported = yaml.safe_load(export_instrument(cycle_2024))
    source = yaml.safe_load(INSTRUMENT_2024.read_text(encoding="utf-8"))
    assert document_content(exported) == document_content(source)
    assert all("previous" in q and q["previous"] is None for q in _questions(exported))
    assert exported["version"] == "2024.1" and exported["smart_dimensions"] == source["smart_dimensions"]


def test_export_then_import_is_the_same_instrument(cycle_2025: Cycle, tmp_path: Path) -> None:
    text = export_instrument(cycle_2025)
    assert all(q["previous"] == q["number"] for q in _questions(yaml.safe_load(text)))
    before = (cycle_2025.instrument.pk, cycle_2025.instrument.content_hash, AuditEvent.objects.count())
    summary = load_instrument(cycle_2025, _write(tmp_path, text), actor=CLI)
    assert summary.outcome == "unchanged"
    after = Instrument.objects.get(cycle=cycle_2025)
    assert (after.pk, after.content_hash, AuditEvent.objects.count()) == before
    assert export_instrument(cycle_2025) == text


def test_an_exported_instrument_imports_identically_into_another_cycle(
    cycle_2024: Cycle, cycle_2025: Cycle, tmp_path: Path
) -> None:
    document = yaml.safe_load(export_instrument(cycle_2025))
    _question(document, 3)["levels"] = {1: "Belum ada", 2: "Rancangan", 3: "Ditetapkan", 4: "Dijalankan"}
    load_instrument(cycle_2025, _write(tmp_path, yaml.safe_dump(document, allow_unicode=True)), actor=CLI)
    twin = Cycle.objects.create(year=2026, name="2026", previous=cycle_2024)
    document["year"] = 2026
    load_instrument(
        twin, _write(tmp_path, yaml.safe_dump(document, allow_unicode=True), "twin.yaml"), actor=CLI
    )
    assert twin.instrument.content_hash == Instrument.objects.get(cycle=cycle_2025).content_hash
    twin_document = yaml.safe_load(export_instrument(twin))
    assert twin_document["dimensions"] == yaml.safe_load(export_instrument(cycle_2025))["dimensions"]
    assert twin.instrument.questions.get(number=3).rubric == [
        (1, "Belum ada"),
        (2, "Rancangan"),
        (3, "Ditetapkan"),
        (4, "Dijalankan"),
    ]


def test_an_edited_instrument_imports_with_the_right_links(cycle_2025: Cycle, tmp_path: Path) -> None:
    document = yaml.safe_load(export_instrument(cycle_2025))
    reworded = _question(document, 4)
    reworded["text"] = "Berapa jumlah program smart city yang berjalan dalam dua tahun terakhir?"
    reworded["previous"] = None  # changed so much that it is no longer comparable
    questions = document["dimensions"][0]["indicators"][0]["questions"]
    questions.remove(_question(document, 2))  # dropped: 2 is no number of 2025 any more
    questions.append(
        {
            "number": 116,
            "sub_indicator": "Dokumen Rencana Aksi",
            "text": "Apakah Daerah Anda memiliki dokumen rencana aksi smart city yang ditetapkan?",
            "levels": {1: "Tidak ada", 2: "Draf", 3: "Ditetapkan", 4: "Ditetapkan dan dipantau"},
            "previous": None,
        }
    )
    moved = _question(document, 5)  # from indicator Realisasi to Perencanaan, still comparable
    document["dimensions"][0]["indicators"][1]["questions"].remove(moved)
    questions.append(moved)
    summary = load_instrument(
        cycle_2025, _write(tmp_path, yaml.safe_dump(document, allow_unicode=True)), actor=CLI
    )

    assert summary.outcome == "replaced"
    links = _links(cycle_2025)
    assert 2 not in links and links[4] is None and links[116] is None
    assert links[5] == 5
    assert Question.objects.get(instrument__cycle=cycle_2025, number=5).indicator.name == "Perencanaan"
    assert all(links[n] == n for n in links if n not in (4, 116))
    new = Question.objects.get(instrument__cycle=cycle_2025, number=116)
    assert (new.dimension.code, new.indicator.name, new.levels["4"]) == (
        "baseline",
        "Perencanaan",
        "Ditetapkan dan dipantau",
    )
    event = AuditEvent.objects.filter(action="instrument.replaced").latest("pk")
    assert event.actor_label == "cli"
    assert event.old["questions"] == 115 and event.new["questions"] == 115
    assert event.old["content_hash"] != event.new["content_hash"]


def test_the_import_command_and_the_export_command(cycle_2025: Cycle, tmp_path: Path) -> None:
    target = tmp_path / "2025.yaml"
    out = io.StringIO()
    call_command("export_instrument", "--year", "2025", "-o", str(target), stdout=out)
    assert "previous: 1\n" in target.read_text(encoding="utf-8")
    out = io.StringIO()
    call_command("import_instrument", str(target), "--year", "2025", stdout=out)
    assert "unchanged" in out.getvalue() and cycle_2025.instrument.content_hash in out.getvalue()

    broken = _write(tmp_path, target.read_text(encoding="utf-8").replace("previous: 7\n", "previous: 700\n"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="ditolak karena 1 masalah"):
        call_command("import_instrument", str(broken), "--year", "2025", stderr=err)
    assert "previous='700' is not a question of the 2024 instrument" in err.getvalue()


# --- refused files: every problem as file:line: field='value' message, nothing stored ----------------------


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


Q1 = "dimensions[0].indicators[0].questions[0]"  # question 1 in the export
Q2 = "dimensions[0].indicators[0].questions[1]"
INDENT = " " * 12  # a question's fields in the export


def _q1(line: str) -> Callable[[str], str]:
    """Adds ``line`` to question 1 of the export."""
    return lambda text: text.replace("previous: 1\n", f"previous: 1\n{INDENT}{line}\n", 1)


def _swap(old: str, new: str) -> Callable[[str], str]:
    return lambda text: text.replace(old, new, 1)


# (what to do to the exported 2025 text, a marker on the problem's line, the expected problem)
BAD_EDITS: list[tuple[str, Callable[[str], str], str, str]] = [
    (
        "unknown previous",
        _swap("previous: 1\n", "previous: 999\n"),
        "previous: 999",
        f"{Q1}.previous='999' is not a question of the 2024 instrument",
    ),
    (
        "previous not a number",
        _swap("previous: 1\n", "previous: satu\n"),
        "previous: satu",
        f"{Q1}.previous='satu' expected the counterpart's question number, or null",
    ),
    (
        "previous used twice",
        _swap("previous: 2\n", "previous: 1  # again\n"),
        "# again",
        f"{Q2}.previous='1' is already the counterpart of question 1",
    ),
    (
        "number twice",
        _swap("number: 2\n", "number: 1  # again\n"),
        "# again",
        f"{Q2}.number='1' is also the number of {Q1}",
    ),
    (
        "no text",
        _swap("text: Apakah Master Plan", "text: ''  # Apakah Master Plan"),
        "text: ''",
        f"{Q1}.text='' is required",
    ),
    (
        "unknown field",
        _q1("levles: {1: a}"),
        "levles:",
        f"{Q1}.levles='' unknown field "
        "(expected: number, sub_dimension, sub_indicator, text, levels, previous)",
    ),
    (
        "levels incomplete",
        _q1("levels: {1: a, 2: b}"),
        "levels:",
        f"{Q1}.levels='3, 4' are missing: describe every level of the scale (1–4), or none",
    ),
    (
        "level outside the scale",
        _q1("levels: {1: a, 2: b, 3: c, 4: d, 5: e}"),
        "levels:",
        f"{Q1}.levels.5='5' is not a level of the scale 1–4",
    ),
    (
        "level as a text key",
        _q1("levels: {'1': a, 2: b, 3: c, 4: d}"),
        "levels:",
        f"{Q1}.levels.1='1' a level is a number of the scale (write 1:, not \"1\":)",
    ),
    (
        "empty level",
        _q1("levels: {1: a, 2: '', 3: c, 4: d}"),
        "levels:",
        f"{Q1}.levels.2='' expected the level's description (text)",
    ),
    (
        "levels not a mapping",
        _q1("levels: [a, b, c, d]"),
        "levels:",
        f"{Q1}.levels='[…]' expected a mapping of level to description",
    ),
    (
        "text too long",
        _swap("sub_indicator: Master Plan", "sub_indicator: " + "x" * 301 + " Master Plan"),
        "xxxx",
        f"{Q1}.sub_indicator='" + "x" * 40 + "…' is 357 characters long; at most 300",
    ),
    (
        "float weight",
        _swap("baseline: '0.10'", "baseline: 0.1"),
        "baseline: 0.1",
        "tracks[0].weights.baseline='0.1' is not a weight: write a decimal string such as \"0.10\"",
    ),
    (
        "weights not 1",
        _swap("output: '0.20'", "output: '0.25'"),
        "weights:",
        "tracks[0].weights='1.05' track REGULER: weights sum to 1.05, not exactly 1",
    ),
    (
        "weight of no dimension",
        _swap("output: '0.20'", "outptu: '0.20'"),
        "outptu:",
        "tracks[0].weights.outptu='0.20' weight for unknown dimension 'outptu'",
    ),
    (
        "unknown track",
        _swap("code: KPPN IKN", "code: KPPN"),
        "code: KPPN",
        "tracks[1].code='KPPN' is not one of REGULER, KPPN IKN",
    ),
    (
        "unknown kind",
        _swap("kind: assessed", "kind: asessed"),
        "kind: asessed",
        "dimensions[0].kind='asessed' is not one of assessed, survey, collaboration",
    ),
    (
        "bad code",
        _swap("code: baseline", "code: base line"),
        "code: base line",
        "dimensions[0].code='base line' use only letters, digits, - and _",
    ),
    (
        "survey without smart dimension",
        _swap("smart_dimension: smart_governance\n", "smart_dimension: ''\n"),
        "smart_dimension: ''",
        "dimensions[3].indicators[0].smart_dimension='' is required in a survey dimension",
    ),
    (
        "wrong year",
        _swap("year: 2025", "year: 2052"),
        "year: 2052",
        "year='2052' is not the cycle's year 2025",
    ),
    ("key twice", _q1("text: again"), "text: again", f"{Q1}.text='' is given twice (keep one)"),
    ("not YAML", _swap("previous: 1\n", "previous: 1: 2\n"), "previous: 1: 2", "not valid YAML"),
]


@pytest.mark.parametrize(
    ("edit", "marker", "expected"), [b[1:] for b in BAD_EDITS], ids=[b[0] for b in BAD_EDITS]
)
def test_a_bad_file_names_file_line_field_and_value_and_stores_nothing(
    cycle_2025: Cycle, tmp_path: Path, edit: Callable[[str], str], marker: str, expected: str
) -> None:
    text = edit(export_instrument(cycle_2025))
    path = _write(tmp_path, text)
    before = (cycle_2025.instrument.pk, cycle_2025.instrument.content_hash, AuditEvent.objects.count())
    with pytest.raises(InstrumentError) as info:
        load_instrument(cycle_2025, path, actor=CLI)
    lines = info.value.lines()
    line = _line_of(text, marker)
    assert any(got.startswith(f"{path}:{line}: ") and expected in got for got in lines), (line, lines)
    after = Instrument.objects.get(cycle=cycle_2025)
    assert (after.pk, after.content_hash, AuditEvent.objects.count()) == before


def test_every_problem_of_a_file_is_reported_at_once(cycle_2025: Cycle, tmp_path: Path) -> None:
    text = export_instrument(cycle_2025)
    text = text.replace("previous: 1\n", "previous: 999\n", 1).replace("kind: assessed", "kind: x", 1)
    with pytest.raises(InstrumentError) as info:
        load_instrument(cycle_2025, _write(tmp_path, text), actor=CLI)
    assert len(info.value.problems) == 2


def test_problems_outside_any_question(db: None, tmp_path: Path) -> None:
    cycle = Cycle.objects.create(year=2031, name="2031")
    for text, expected in [
        ("- just\n- a list\n", ":1: expected a mapping (year, version, …) at the top"),
        ("year: 2031\n", ":1: scale='' missing: expected {min: 1, max: 4}"),
        ("year: 2031\ndimensions: &d\n  - *d\n", ":2: dimensions[0]='' refers to itself"),
        ("year: 2031\nversion: !!python/name:os.system ''\n", ":2: not valid YAML: could not determine"),
        ("year: 2031\n[a]: 1\n", ":2: a key must be a name or a number"),
    ]:
        with pytest.raises(InstrumentError) as info:
            load_instrument(cycle, _write(tmp_path, text), actor=CLI)
        assert any(expected in line for line in info.value.lines()), info.value.lines()
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("year: 2031\nversion: é\n".encode("latin-1"))
    with pytest.raises(InstrumentError, match="not UTF-8 text"):
        load_instrument(cycle, latin, actor=CLI)
    with pytest.raises(InstrumentError, match="file not found"):
        load_instrument(cycle, tmp_path / "missing.yaml", actor=CLI)
    assert not Instrument.objects.filter(cycle=cycle).exists()


def test_previous_needs_a_previous_cycle(db: None, tmp_path: Path) -> None:
    cycle = Cycle.objects.create(year=2031, name="2031")
    document = yaml.safe_load(INSTRUMENT_2024.read_text(encoding="utf-8"))
    document["year"] = 2031
    _question(document, 5)["previous"] = 5
    with pytest.raises(InstrumentError) as info:
        load_instrument(cycle, _write(tmp_path, yaml.safe_dump(document, allow_unicode=True)), actor=CLI)
    assert (
        "previous='5' the cycle has no previous cycle with an instrument: write null" in info.value.lines()[0]
    )


# --- when an instrument can no longer change ------------------------------------------------------------


def _reworded(cycle: Cycle, tmp_path: Path) -> Path:
    document = yaml.safe_load(export_instrument(cycle))
    _question(document, 1)["text"] = "Apakah Master Plan Smart City sudah ditetapkan dengan peraturan daerah?"
    return _write(tmp_path, yaml.safe_dump(document, allow_unicode=True), "reworded.yaml")


def test_an_opened_cycle_refuses_a_new_instrument(cycle_2025: Cycle, tmp_path: Path) -> None:
    same = _write(tmp_path, export_instrument(cycle_2025), "same.yaml")
    cycle_2025.opened_at = timezone.now()
    cycle_2025.save(update_fields=["opened_at"])
    before = cycle_2025.instrument.content_hash
    with pytest.raises(InstrumentError) as info:
        load_instrument(cycle_2025, _reworded(cycle_2025, tmp_path), actor=CLI)
    assert info.value.lines() == [
        f"{tmp_path / 'reworded.yaml'}: the 2025 instrument is frozen: the cycle has been opened to the "
        "regions, so its questions can no longer change"
    ]
    assert Instrument.objects.get(cycle=cycle_2025).content_hash == before
    # The same content again is no change, so it is not refused (load-demo runs on opened cycles).
    assert load_instrument(cycle_2025, same, actor=CLI).outcome == "unchanged"


def test_an_instrument_with_scores_cannot_be_replaced(make_cycle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cycle = make_cycle(2031)  # in preparation
    scores = _write(tmp_path, "region,question,score\n51.03,1,3\n", "scores.csv")
    import_question_scores(scores, cycle, actor=CLI)
    with pytest.raises(InstrumentError, match="already has scores or answers"):
        load_instrument(cycle, _reworded(cycle, tmp_path), actor=CLI)
    assert Question.objects.get(instrument__cycle=cycle, number=1).text.startswith(
        "Apakah Master Plan Smart City Daerah"
    )


def test_links_from_a_later_cycle_follow_the_numbers(cycle_2025: Cycle, tmp_path: Path) -> None:
    later = Cycle.objects.create(year=2026, name="2026", previous=cycle_2025)
    copy_instrument(cycle_2025, later, actor=CLI)
    load_instrument(cycle_2025, _reworded(cycle_2025, tmp_path), actor=CLI)
    q1 = Question.objects.select_related("previous__instrument").get(instrument__cycle=later, number=1)
    assert q1.previous is not None and q1.previous.instrument.cycle == cycle_2025
    assert q1.previous.text.endswith("dengan peraturan daerah?")

    document = yaml.safe_load(export_instrument(cycle_2025))
    document["dimensions"][0]["indicators"][0]["questions"].pop(0)  # drop question 1
    with pytest.raises(InstrumentError) as info:
        load_instrument(cycle_2025, _write(tmp_path, yaml.safe_dump(document, allow_unicode=True)), actor=CLI)
    assert info.value.lines()[0].endswith(
        "number='1' question 1 is dropped, but question 1 of the 2026 instrument names it as its previous: "
        "keep it, or change that link first"
    )


# --- the content hash -----------------------------------------------------------------------------------


def test_the_content_hash_changes_with_a_text_and_nothing_else(cycle_2025: Cycle, tmp_path: Path) -> None:
    original = cycle_2025.instrument.content_hash
    assert len(original) == 64 and original == Instrument.objects.get(cycle=cycle_2025).content_hash
    document = yaml.safe_load(export_instrument(cycle_2025))
    document["version"] = "2025.2"
    summary = load_instrument(
        cycle_2025, _write(tmp_path, yaml.safe_dump(document, allow_unicode=True)), actor=CLI
    )
    assert summary.outcome == "updated" and summary.instrument.version == "2025.2"
    assert Instrument.objects.get(cycle=cycle_2025).content_hash == original  # a label is not content

    load_instrument(cycle_2025, _reworded(cycle_2025, tmp_path), actor=CLI)
    reworded = Instrument.objects.get(cycle=cycle_2025).content_hash
    assert reworded != original

    back = yaml.safe_load(export_instrument(cycle_2025))
    _question(back, 1)["text"] = _question(yaml.safe_load(INSTRUMENT_2024.read_text(encoding="utf-8")), 1)[
        "text"
    ]
    load_instrument(
        cycle_2025, _write(tmp_path, yaml.safe_dump(back, allow_unicode=True), "back.yaml"), actor=CLI
    )
    assert Instrument.objects.get(cycle=cycle_2025).content_hash == original


def test_the_hash_covers_links_and_rubrics(cycle_2024: Cycle, cycle_2025: Cycle) -> None:
    # The copy has the same texts as 2024 but links every question to 2024: another instrument.
    assert cycle_2025.instrument.content_hash != cycle_2024.instrument.content_hash
    question = Question.objects.get(instrument__cycle=cycle_2025, number=9)
    before = cycle_2025.instrument.content_hash
    question.levels = {"1": "a", "2": "b", "3": "c", "4": "d"}
    question.save(update_fields=["levels"])
    assert Instrument.objects.get(cycle=cycle_2025).content_hash != before
