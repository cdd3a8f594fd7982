"""Who sees which region's workflow: declared once, in Participation.objects.visible_to(user)."""

from django.contrib.auth.models import AnonymousUser

from kotacerdas.cycles.models import Participation
from kotacerdas.review.models import Assessor, Assignment


def test_admin_sees_every_participation(admin_user, cycle_2024) -> None:
    assert Participation.objects.visible_to(admin_user).count() == 191


def test_operator_sees_only_own_region(operator_a, operator_b, cycle_2024) -> None:
    assert list(Participation.objects.visible_to(operator_a).values_list("region__code", flat=True)) == [
        "51.03"
    ]
    assert list(Participation.objects.visible_to(operator_b).values_list("region__code", flat=True)) == [
        "32.73"
    ]


def test_assessor_sees_only_assigned_regions(assessor_user, cycle_2024) -> None:
    assert not Participation.objects.visible_to(assessor_user).exists()
    assessor = Assessor.objects.create(name="Asesor Uji", institution="Universitas Uji", user=assessor_user)
    Assignment.objects.create(
        participation=cycle_2024.participations.get(region__code="51.03"), assessor=assessor
    )
    assert list(Participation.objects.visible_to(assessor_user).values_list("region__code", flat=True)) == [
        "51.03"
    ]


def test_anonymous_inactive_and_public_users_see_nothing(outsider, operator_a, cycle_2024) -> None:
    assert not Participation.objects.visible_to(AnonymousUser()).exists()
    assert not Participation.objects.visible_to(outsider).exists()
    operator_a.is_active = False
    assert not Participation.objects.visible_to(operator_a).exists()


def test_changing_a_window_in_the_admin_is_audited(client, admin_user, cycle_2024) -> None:
    from kotacerdas.audit.models import AuditEvent

    client.force_login(admin_user)
    url = f"/admin/cycles/cycle/{cycle_2024.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["reply_opens_0"], data["reply_opens_1"] = "2024-11-26", "08:00:00"
    data["reply_closes_0"], data["reply_closes_1"] = "2024-11-29", "17:00:00"
    for name in ("self_assessment_opens", "self_assessment_closes"):
        value = getattr(cycle_2024, name)
        local = value.astimezone() if value else None
        data.pop(name, None)
        data[f"{name}_0"] = local.strftime("%Y-%m-%d") if local else ""
        data[f"{name}_1"] = local.strftime("%H:%M:%S") if local else ""
    data.pop("reply_opens", None), data.pop("reply_closes", None)
    import json

    data["copies"], data["facts"] = json.dumps(cycle_2024.copies), json.dumps(cycle_2024.facts)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    event = AuditEvent.objects.filter(action="cycle.changed").latest("id")
    assert set(event.new) >= {"reply_opens", "reply_closes"} and event.actor == admin_user


def test_published_scores_are_read_only_in_the_django_admin(client, admin_user, cycle_2024) -> None:
    client.force_login(admin_user)
    assert client.get("/admin/results/publishedscore/add/").status_code == 403
