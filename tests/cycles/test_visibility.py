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
