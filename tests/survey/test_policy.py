"""The survey's services consult the policy themselves: a view that forgot to check would still be refused."""

import pytest

from kotacerdas.accounts.models import User
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.survey import services
from kotacerdas.survey.models import SurveyLink, SurveyResponse


def test_another_regions_operator_cannot_manage_a_link(governance: SurveyLink, operator_b: User) -> None:
    for write in (
        lambda: services.close_link(governance, actor=operator_b),
        lambda: services.set_programme(governance, "Mal Pelayanan Publik", actor=operator_b),
        lambda: services.create_invitations(governance, 3, actor=operator_b),
        lambda: services.ensure_links(governance.participation, actor=operator_b),
    ):
        with pytest.raises(NotAllowed):
            write()
    governance.refresh_from_db()
    assert (governance.closed_at, governance.programme, governance.invitations.count()) == (None, "", 0)


def test_the_regions_operator_manages_but_only_an_admin_reopens(
    governance: SurveyLink, operator_a: User, admin_user: User
) -> None:
    services.close_link(governance, actor=operator_a)
    with pytest.raises(NotAllowed, match="admin"):
        services.reopen_link(governance, actor=operator_a)
    services.reopen_link(governance, actor=admin_user)
    governance.refresh_from_db()
    assert governance.closed_at is None


def test_only_an_admin_reviews_responses(governance: SurveyLink, operator_a: User, admin_user: User) -> None:
    responses = SurveyResponse.objects.filter(link=governance)
    with pytest.raises(NotAllowed):
        services.review_responses(
            governance.participation.cycle, responses.all(), include=True, reason="ok", actor=operator_a
        )
    with pytest.raises(NotAllowed):
        services.recompute_survey(governance.participation.cycle, actor=operator_a)
    assert services.recompute_survey(governance.participation.cycle, actor=CLI) == 0
