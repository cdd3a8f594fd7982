"""The instrument's admin pages edit questions (texts, rubric, counterpart) while the cycle is in
preparation, through the services (policy, freeze, audit); once the cycle is open they are read-only."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kotacerdas.accounts.models import User
from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument.models import Indicator, Question, TrackWeight
from kotacerdas.instrument.services import (
    InstrumentChangeRefused,
    copy_instrument,
    save_instrument_row,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle_2025(cycle_2024: Cycle) -> Cycle:
    cycle = Cycle.objects.create(year=2025, name="Siklus 2025", previous=cycle_2024)
    copy_instrument(cycle_2024, cycle, actor=CLI)
    return cycle


@pytest.fixture
def admin_client(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def _form(question: Question, **changes: Any) -> dict[str, Any]:
    data = {
        "indicator": question.indicator_id,
        "number": question.number,
        "sub_indicator": question.sub_indicator,
        "sub_dimension": question.sub_dimension,
        "text": question.text,
        "previous": question.previous_id or "",
        **{f"level_{n}": question.levels.get(str(n), "") for n in range(1, 5)},
        "_save": "Simpan",
    }
    return data | changes


def _question(cycle: Cycle, number: int) -> Question:
    return Question.objects.select_related("previous").get(instrument__cycle=cycle, number=number)


def test_an_admin_edits_a_question_its_rubric_and_its_counterpart(
    admin_client: Client, admin_user: User, cycle_2025: Cycle
) -> None:
    question = _question(cycle_2025, 4)
    url = reverse("admin:instrument_question_change", args=[question.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="level_1"' in page and 'name="level_4"' in page
    assert "2024 · 4. Berapa jumlah program smart city" in page  # counterparts from 2024 only
    assert "2025 · 4." not in page
    levels = {f"level_{n}": f"Deskripsi level {n}" for n in range(1, 5)}
    response = admin_client.post(
        url, _form(question, text="Berapa program dalam dua tahun?", previous="", **levels)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    question = _question(cycle_2025, 4)
    assert question.text == "Berapa program dalam dua tahun?" and question.previous is None
    assert question.levels == {str(n): f"Deskripsi level {n}" for n in range(1, 5)}
    event = AuditEvent.objects.get(action="instrument.question_changed")
    assert (event.actor, event.question_number) == (admin_user, 4)
    assert event.old["previous"] == {"year": 2024, "number": 4} and event.new["previous"] is None
    assert event.old["text"].startswith("Berapa jumlah program") and event.old["levels"] == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level_1": "Hanya satu"}, "Isi deskripsi setiap level, atau kosongkan semuanya."),
        ({"number": 5}, "Nomor ini sudah dipakai pertanyaan lain pada instrumen ini."),
        ({"text": ""}, "Bidang ini tidak boleh kosong."),
    ],
)
def test_the_admin_form_validates_like_the_import(
    admin_client: Client, cycle_2025: Cycle, changes: dict[str, Any], message: str
) -> None:
    question = _question(cycle_2025, 4)
    before = AuditEvent.objects.count()
    response = admin_client.post(
        reverse("admin:instrument_question_change", args=[question.pk]), _form(question, **changes)
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert _question(cycle_2025, 4).text == question.text and AuditEvent.objects.count() == before


def test_a_counterpart_is_one_question_of_the_previous_cycle(admin_client: Client, cycle_2025: Cycle) -> None:
    question = _question(cycle_2025, 4)
    taken = _question(cycle_2025, 5).previous
    assert taken is not None
    response = admin_client.post(
        reverse("admin:instrument_question_change", args=[question.pk]), _form(question, previous=taken.pk)
    )
    assert "Pertanyaan itu sudah menjadi pasangan pertanyaan lain." in response.content.decode()


def test_an_admin_adds_and_deletes_a_question(admin_client: Client, cycle_2025: Cycle) -> None:
    indicator = Indicator.objects.get(dimension__instrument__cycle=cycle_2025, name="Perencanaan")
    response = admin_client.post(
        reverse("admin:instrument_question_add"),
        {
            "indicator": indicator.pk,
            "number": 116,
            "sub_indicator": "Rencana aksi",
            "sub_dimension": "",
            "text": "Apakah rencana aksi smart city sudah ditetapkan?",
            "previous": "",
            **{f"level_{n}": f"Level {n}" for n in range(1, 5)},
            "_save": "Simpan",
        },
    )
    assert response.status_code == 302
    added = _question(cycle_2025, 116)
    assert (added.instrument.cycle, added.dimension.code, added.scale_max) == (cycle_2025, "baseline", 4)
    assert AuditEvent.objects.filter(action="instrument.question_added", question_number=116).exists()

    response = admin_client.post(
        reverse("admin:instrument_question_delete", args=[added.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Question.objects.filter(pk=added.pk).exists()
    assert AuditEvent.objects.filter(action="instrument.question_deleted", question_number=116).exists()


def test_the_instrument_of_an_open_cycle_is_read_only(
    admin_client: Client, cycle_2024: Cycle, cycle_2025: Cycle
) -> None:
    cycle_2025.opened_at = timezone.now()
    cycle_2025.save(update_fields=["opened_at"])
    for cycle in (cycle_2024, cycle_2025):
        question = _question(cycle, 1)
        url = reverse("admin:instrument_question_change", args=[question.pk])
        page = admin_client.get(url).content.decode()
        assert 'name="text"' not in page and 'name="level_1"' not in page
        assert admin_client.post(url, _form(question, text="Diubah")).status_code == 403
        assert _question(cycle, 1).text == question.text
    with pytest.raises(InstrumentChangeRefused, match="frozen: the cycle has been opened"):
        question = _question(cycle_2025, 1)
        question.text = "Diubah"
        save_instrument_row(question, fields=["text"], actor=CLI)


def test_a_question_named_by_a_later_cycle_cannot_be_deleted(admin_client: Client, cycle_2025: Cycle) -> None:
    later = Cycle.objects.create(year=2026, name="2026", previous=cycle_2025)
    copy_instrument(cycle_2025, later, actor=CLI)
    question = _question(cycle_2025, 7)
    response = admin_client.post(
        reverse("admin:instrument_question_delete", args=[question.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_rows_follow_what_they_belong_to_and_changes_are_audited(cycle_2025: Cycle) -> None:
    indicator = Indicator.objects.get(dimension__instrument__cycle=cycle_2025, smart_dimension="smart_living")
    indicator.smart_dimension = "smart_society"
    save_instrument_row(indicator, fields=["smart_dimension"], actor=CLI)
    assert set(indicator.questions.values_list("smart_dimension", flat=True)) == {"smart_society"}
    weight = TrackWeight.objects.get(
        dimension__instrument__cycle=cycle_2025, dimension__code="baseline", track="REGULER"
    )
    weight.weight = weight.weight / 2
    save_instrument_row(weight, fields=["weight"], actor=CLI)
    event = AuditEvent.objects.filter(action="instrument.trackweight_changed").latest("pk")
    assert (event.old, event.new) == ({"weight": "0.1000"}, {"weight": "0.0500"})


def test_every_instrument_admin_page_opens(
    admin_client: Client, cycle_2024: Cycle, cycle_2025: Cycle
) -> None:
    instrument = cycle_2025.instrument
    dimension = instrument.dimensions.get(code="impact")
    indicator = dimension.indicators.first()
    assert indicator is not None
    pages = [
        reverse(f"admin:instrument_{model}_add")
        for model in ("instrument", "dimension", "indicator", "question")
    ]
    pages += [
        reverse("admin:instrument_instrument_change", args=[instrument.pk]),
        reverse("admin:instrument_dimension_change", args=[dimension.pk]),
        reverse("admin:instrument_indicator_change", args=[indicator.pk]),
        reverse("admin:instrument_instrument_change", args=[cycle_2024.instrument.pk]),
        reverse("admin:instrument_question_changelist"),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url
    page = admin_client.get(
        reverse("admin:instrument_instrument_change", args=[instrument.pk])
    ).content.decode()
    assert instrument.content_hash in page


def test_an_admin_changes_a_weight_on_the_dimension_page(admin_client: Client, cycle_2025: Cycle) -> None:
    dimension = cycle_2025.instrument.dimensions.get(code="collaboration")
    weights = list(dimension.weights.order_by("pk"))
    data: dict[str, Any] = {
        "code": dimension.code,
        "name": dimension.name,
        "name_id": dimension.name_id,
        "kind": dimension.kind,
        "order": dimension.order,
        "description": dimension.description,
        "elements": json.dumps(dimension.elements),
        "weights-TOTAL_FORMS": len(weights),
        "weights-INITIAL_FORMS": len(weights),
        "weights-MIN_NUM_FORMS": 0,
        "weights-MAX_NUM_FORMS": 1000,
        "_save": "Simpan",
    }
    for i, weight in enumerate(weights):
        data |= {
            f"weights-{i}-id": weight.pk,
            f"weights-{i}-dimension": dimension.pk,
            f"weights-{i}-track": weight.track,
            f"weights-{i}-weight": "0.1500",
        }
    response = admin_client.post(reverse("admin:instrument_dimension_change", args=[dimension.pk]), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert {str(w.weight) for w in dimension.weights.all()} == {"0.1500"}
    event = AuditEvent.objects.filter(action="instrument.trackweight_changed").latest("pk")
    assert (event.old, event.new) == ({"weight": "0.1000"}, {"weight": "0.1500"})
