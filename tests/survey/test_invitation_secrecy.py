"""Issue 12's probe: an assessor opened a region's unused single-use invitation links and answered as a
"citizen". No page an assessor can reach carries an invitation's address, in any form."""

from typing import Any

from django.test import Client

from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Participation
from kotacerdas.survey import services
from kotacerdas.survey.tokens import sign
from kotacerdas.survey.views import link_path


def test_no_page_an_assessor_reaches_shows_an_unused_invitation(
    cast: dict[str, Any], cycle_2024: Any
) -> None:
    participation = Participation.objects.get(cycle=cycle_2024, region__code="51.03")
    links = services.ensure_links(participation, actor=CLI)
    invitations = [i for link in links for i in services.create_invitations(link, 2, actor=CLI)]
    secrets = [i.token for i in invitations] + [sign(i.token) for i in invitations]
    client = Client()
    client.force_login(cast["assessor_assigned"])
    pages = ["/survei/", "/survei/2024/51.03/"] + [
        f"/survei/2024/51.03/{link.smart_dimension}/{page}"
        for link in links
        for page in ("undangan/", "poster/", "qr.svg")
    ]
    seen = {}
    for page in pages:
        response = client.get(page, follow=True)
        seen[page] = response.status_code
        body = response.content.decode(errors="replace")
        assert not any(secret in body for secret in secrets), page
        assert "/s/u/" not in body, page
    # The region's page itself is open to the panel; the invitation lists are not.
    assert seen["/survei/2024/51.03/"] == 200
    assert all(seen[f"/survei/2024/51.03/{link.smart_dimension}/undangan/"] == 403 for link in links)
    # The operator who made them does see them (the page works; it is the assessor who is refused).
    operator = Client()
    operator.force_login(cast["operator_a"])
    listing = operator.get(f"/survei/2024/51.03/{links[0].smart_dimension}/undangan/").content.decode()
    assert link_path(links[0], invitations[0]) in listing
