"""Nothing of a review in progress leaves the panel and the admins before publication (DESIGN.md).

A review is under way in two places at once: in the open 2030 cycle (nothing published), and in the
published 2024 cycle after its publication (a new assessor's draft, another's submitted review, an agreed
score, a reply). Every text of that review carries a marker; a crawl of every public page and API route,
as an anonymous visitor, must find none of them, and the published 2024 numbers must be unchanged.
"""

import io
import re
import zipfile
from collections import deque
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kotacerdas.accounts.models import User
from kotacerdas.core.actors import CLI
from kotacerdas.cycles.models import Cycle, Participation, Stage
from kotacerdas.instrument.models import Question
from kotacerdas.review.models import (
    AgreedScore,
    Assessor,
    AssessorScore,
    Assignment,
    Finding,
    FindingKind,
    Reply,
)
from kotacerdas.review.services import record_findings, record_score

MARK = "RAHASIA"
SEEDS = [
    "/",
    "/hasil/2024/",
    "/hasil/2024/51.03/",
    "/hasil/2024/unduh.csv",
    "/hasil/2024/unduh.xlsx",
    "/hasil/2030/",
    "/hasil/2030/51.03/",
    "/hasil/2030/unduh.csv",
    "/laporan/2024/hasil.xlsx",
    "/laporan/2030/hasil.xlsx",
    "/api/v1/cycles",
    "/api/v1/cycles/2024/results",
    "/api/v1/cycles/2024/results/51.03",
    "/api/v1/cycles/2030/results",
    "/api/v1/cycles/2030/results/51.03",
    "/api/v1/openapi.json",
    "/verifikasi/",
]


def _text(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # XLSX: read every part of the archive
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def _crawl(client: Client, limit: int = 400) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = deque(SEEDS)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = _text(response) if response.status_code == 200 else ""
        for link in re.findall(r'href="(/[^"#]*)"', seen[url]):
            link = link.replace("&amp;", "&")
            if link.startswith(("/static/", "/admin/", "/accounts/", "/i18n/")) or link in seen:
                continue
            if link.startswith(("/hasil/", "/api/", "/laporan/", "/verifikasi/", "/metodologi/", "/data/")):
                queue.append(link)
    return seen


@pytest.fixture
def review_in_progress(
    unpublished_scores: Participation, cycle_2024: Cycle, panel: list[User], operator_a: User
) -> Participation:
    """Markers in every kind of review content, in both cycles."""
    # The open 2030 cycle: a submitted review's notes and findings, the other assessor's draft.
    badung_2030 = unpublished_scores
    first = Assignment.objects.get(participation=badung_2030, assessor__user=panel[0])
    AssessorScore.objects.filter(assignment=first).update(note=f"{MARK}-catatan-terkirim")
    Finding.objects.create(assignment=first, kind="strength", position=1, text=f"{MARK}-temuan-terkirim")
    second = Assignment.objects.get(participation=badung_2030, assessor__user=panel[1])
    question = Question.objects.get(instrument__cycle=badung_2030.cycle, number=1)
    record_score(second, question, 1, f"{MARK}-catatan-draf", actor=panel[1])
    record_findings(second, FindingKind.WEAKNESS, [f"{MARK}-temuan-draf"], actor=panel[1])

    # The published 2024 cycle, after its publication: a late panel member, an agreed score, a reply.
    badung_2024 = Participation.objects.get(cycle=cycle_2024, region__code="51.03")
    late = Assignment.objects.create(
        participation=badung_2024,
        assessor=Assessor.objects.create(name=f"{MARK} Asesor Baru", institution=f"{MARK} Institut"),
        position=9,
        submitted_at=timezone.now(),
    )
    q2024 = Question.objects.get(instrument__cycle=cycle_2024, number=2)
    AssessorScore.objects.create(assignment=late, question=q2024, score=1, note=f"{MARK}-catatan-2024")
    Finding.objects.create(assignment=late, kind="recommendation", position=1, text=f"{MARK}-temuan-2024")
    AgreedScore.objects.update_or_create(
        participation=badung_2024,
        question=q2024,
        defaults={"score": Decimal("1.00"), "reason": f"{MARK}-alasan-kesepakatan"},
    )
    Reply.objects.create(
        participation=badung_2024,
        question=q2024,
        argument=f"{MARK}-sanggahan",
        created_by=operator_a,
        score_at_reply=Decimal("1.00"),
    )
    Participation.objects.filter(pk=badung_2024.pk).update(stage=Stage.REPLIED)
    from kotacerdas.results.services import recompute_results

    recompute_results(cycle_2024)  # the live results now differ from the published revision
    return badung_2024


def test_no_public_page_or_api_route_shows_a_review_in_progress(
    review_in_progress: Participation, client: Client
) -> None:
    pages = _crawl(client)
    assert len(pages) >= len(SEEDS)
    leaks = {url: re.findall(rf"{MARK}[\w-]*", text)[:3] for url, text in pages.items() if MARK in text}
    assert leaks == {}


def test_the_published_numbers_stay_what_was_published(
    review_in_progress: Participation, client: Client
) -> None:
    row = next(r for r in client.get("/api/v1/cycles/2024/results").json() if r["region_code"] == "51.03")
    assert (row["baseline"], row["final"]) == ("3.56", "3.08")
    detail = client.get("/api/v1/cycles/2024/results/51.03").json()
    question_2 = detail["dimensions"][0]["questions"][1]
    assert question_2["score"] != "1.00"
    assert all(MARK not in str(a) for a in detail["assessors"])


def test_the_admin_still_sees_the_live_results(review_in_progress: Participation, admin_user: User) -> None:
    client = Client()
    client.force_login(admin_user)
    page = client.get("/hasil/2024/51.03/?live=1").content.decode()
    assert f"{MARK} Asesor Baru" in page
    assert CLI.name == "cli"
