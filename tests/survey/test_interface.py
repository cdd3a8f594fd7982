"""The survey's pages as people read them: a second answer is told kindly that it is already in; the review
list names regions and dimensions and can select all; closing a link asks first."""

import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from kotacerdas.accounts.models import User
from kotacerdas.survey.models import SurveyLink, SurveyResponse
from kotacerdas.survey.views import link_path
from tests.survey.conftest import make_body

ALREADY = "Jawaban Anda sudah kami terima sebelumnya, jadi tidak perlu dikirim lagi."
REPEAT = "Dari perangkat ini sudah ada jawaban sebelumnya"
FIRST_KEPT = "jawaban pertama itulah yang disimpan"
THANKS = "Terima kasih! Jawaban Anda sudah diterima."


def _form_post(link: SurveyLink, body: dict[str, Any], client: Client | None = None) -> Any:
    """The form as a browser without JavaScript posts it."""
    fields = {f"q{number}": str(value) for number, value in body["answers"].items()}
    fields |= {"submission_id": body["submission_id"], "started_at": body["started_at"]}
    return (client or Client()).post(link_path(link), fields, REMOTE_ADDR="10.1.2.3")


def test_the_same_answers_sent_again_are_told_they_are_already_in(governance: SurveyLink) -> None:
    body = make_body()
    first = _form_post(governance, body)
    assert first.status_code == 201 and THANKS in first.content.decode()
    again = _form_post(governance, body)
    assert again.status_code == 200
    assert ALREADY in again.content.decode() and THANKS not in again.content.decode()


def test_a_changed_resend_of_one_form_is_told_the_first_answers_stand(governance: SurveyLink) -> None:
    body = make_body()
    _form_post(governance, body)
    changed = make_body([4] * 9, submission_id=body["submission_id"])
    reply = _form_post(governance, changed)
    assert reply.status_code == 409
    assert FIRST_KEPT in reply.content.decode()


def test_a_second_answer_from_the_same_device_is_stored_and_its_sender_told_so(
    governance: SurveyLink, post: Callable[..., Any]
) -> None:
    first = post(governance, make_body(), REMOTE_ADDR="10.9.9.9", HTTP_USER_AGENT="Ponsel")
    assert first.status_code == 201 and "repeat" not in first.json()
    second = post(
        governance, make_body([2, 3, 4, 3, 2, 3, 4, 3, 2]), REMOTE_ADDR="10.9.9.9", HTTP_USER_AGENT="Ponsel"
    )
    assert second.status_code == 201 and second.json()["repeat"] is True
    third = _form_post(governance, make_body([4, 3, 2, 3, 4, 3, 2, 3, 4]))  # another device
    assert REPEAT not in third.content.decode()


def test_the_form_page_carries_the_kind_messages_for_its_script(governance: SurveyLink) -> None:
    html = Client().get(link_path(governance)).content.decode()
    start = html.index('id="survey-messages"')
    texts = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    assert ALREADY in texts["already"] and REPEAT in texts["repeat"] and FIRST_KEPT in texts["conflict"]


def test_the_review_list_names_regions_and_dimensions_and_selects_all(
    governance: SurveyLink, post: Callable[..., Any], admin_user: User
) -> None:
    post(governance, make_body(seconds=5), REMOTE_ADDR="10.0.0.1")  # a speeder: flagged, pending review
    assert SurveyResponse.objects.filter(link=governance, review="pending").exists()
    client = Client()
    client.force_login(admin_user)
    year = governance.participation.cycle.year
    html = client.get(f"/survei/{year}/tinjau/").content.decode()
    assert "KAB. BADUNG" in html and "Smart Governance" in html
    assert "smart_governance</td>" not in html and "<td>51.03</td>" not in html
    assert 'data-select-all="response"' in html and "survey/review.js" in html
    assert 'name="response"' in html and "checked" not in html.split("<tbody>")[1]
    selected = client.get(f"/survei/{year}/tinjau/?show=pending&pilih=semua").content.decode()
    boxes = selected.split("<tbody>")[1].count('name="response"')
    assert boxes >= 1 and selected.split("<tbody>")[1].count("checked") == boxes


def test_closing_a_link_asks_first(governance: SurveyLink, operator_a: User) -> None:
    client = Client()
    client.force_login(operator_a)
    year, code = governance.participation.cycle.year, governance.participation.region.code
    page = client.get(f"/survei/{year}/{code}/").content.decode()
    assert 'name="confirm"' in page and "jawaban baru ditolak" in page
    assert "onsubmit" not in page and "onclick" not in page and "style=" not in page
    url = f"/survei/{year}/{code}/smart_governance/tutup/"
    refused = client.post(url, follow=True)
    assert "Centang konfirmasi dahulu" in refused.content.decode()
    governance.refresh_from_db()
    assert governance.closed_at is None
    client.post(url, {"confirm": "yes"})
    governance.refresh_from_db()
    assert governance.closed_at is not None
