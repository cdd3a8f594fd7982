"""Writes of the citizen survey: links, public submissions, imports, review decisions and recompute marks.

Views, commands and the admin call these; each consults the policy (``cycles.policy``) and each write that
matters leaves an audit event. Submissions by citizens are the exception on both counts: the signed link
is the citizen's authority (its open/closed state, re-checked under the link's row lock, is the window),
and the stored response is itself the record (when, through which link, from which hashed client); every
later decision about it is audited.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kotacerdas.accounts.actors import person
from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.core.bulk import insert_objects, insert_rows, insert_values
from kotacerdas.core.cache import ProcessCache
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.cycles.policy import Action, require
from kotacerdas.cycles.signals import inputs_changed
from kotacerdas.instrument.models import Question
from kotacerdas.survey import quality
from kotacerdas.survey.digest import response_digest, submission_digest
from kotacerdas.survey.models import (
    Channel,
    LinkRecompute,
    Review,
    SmartDimension,
    SurveyAnswer,
    SurveyInvitation,
    SurveyLink,
    SurveyResponse,
)
from kotacerdas.survey.submission import Submission
from kotacerdas.survey.tokens import new_token

LINK_RELATED = ("participation__cycle__instrument", "participation__region")
# The columns a public submission needs of a link and what it hangs on (a narrow query is most of the
# difference between a first and a repeated submission through a link).
LINK_COLUMNS = (
    "participation_id", "smart_dimension", "token", "programme", "quota", "closed_at", "closes_at",
    "participation__cycle_id", "participation__region_id",
    "participation__cycle__year", "participation__cycle__instrument__id",
    "participation__cycle__survey_opens", "participation__cycle__survey_closes",
    "participation__cycle__instrument__loaded_at",
    "participation__region__code", "participation__region__name",
)  # fmt: skip
ANSWER_FIELDS = ("response", "question", "score")
DIMENSION_ORDER = {code: i for i, code in enumerate(SmartDimension.values)}
# How many of a link's latest responses the quality checks compare a new one with.
RECENT = 200


class Outcome(StrEnum):
    STORED = "stored"  # 201
    REPLAY = "replay"  # 200: the same body was stored before
    CONFLICT = "conflict"  # 409: the id was used for another body
    CLOSED = "closed"  # 410: the link is closed or the invitation used


# --- links -------------------------------------------------------------------------------------------


def ensure_links(participation: Participation, *, actor: User | SystemActor) -> list[SurveyLink]:
    """The region's six public links, one per smart dimension, created when missing (idempotent)."""
    require(actor, Action.MANAGE_SURVEY, participation)
    have = set(
        SurveyLink.objects.filter(participation=participation).values_list("smart_dimension", flat=True)
    )
    missing = [code for code in SmartDimension.values if code not in have]
    if missing:
        # A concurrent call may create the same links: the unique constraint keeps one, the other is ignored.
        SurveyLink.objects.bulk_create(
            [
                SurveyLink(participation=participation, smart_dimension=code, token=new_token())
                for code in missing
            ],
            ignore_conflicts=True,
        )
        record_event(
            "survey.links_created",
            actor=actor,
            object_type="participation",
            object_id=participation.pk,
            new={
                "region": participation.region.code,
                "year": participation.cycle.year,
                "dimensions": missing,
            },
            participation=participation,
        )
    links = SurveyLink.objects.filter(participation=participation).select_related(*LINK_RELATED)
    return sorted(links, key=lambda link: DIMENSION_ORDER[link.smart_dimension])


def set_programme(link: SurveyLink, programme: str, *, actor: User | SystemActor) -> None:
    """The programme the link's respondents are asked about (shown on the form)."""
    require(actor, Action.MANAGE_SURVEY, link.participation)
    programme = programme.strip()
    if programme == link.programme:
        return
    old, link.programme = link.programme, programme
    link.save(update_fields=["programme"])
    _audit_link("survey.link_programme", link, actor, old={"programme": old}, new={"programme": programme})


@transaction.atomic
def close_link(link: SurveyLink, *, actor: User | SystemActor) -> None:
    """Close the link: later submissions get 410. Responses not yet in the results are recomputed now."""
    require(actor, Action.MANAGE_SURVEY, link.participation)
    if link.closed_at is not None:
        return
    link.closed_at, link.closed_by = timezone.now(), person(actor)
    link.save(update_fields=["closed_at", "closed_by"])
    _audit_link("survey.link_closed", link, actor, new={"closed_at": link.closed_at.isoformat()})
    flush_pending_recomputes(link.participation.cycle, [link.participation_id])


def reopen_link(link: SurveyLink, *, actor: User | SystemActor) -> None:
    """Open a closed link again (an admin's decision)."""
    require(actor, Action.REOPEN_SURVEY_LINK, link.participation)
    if link.closed_at is None:
        return
    old = link.closed_at
    link.closed_at, link.closed_by = None, None
    link.save(update_fields=["closed_at", "closed_by"])
    _audit_link("survey.link_reopened", link, actor, old={"closed_at": old.isoformat()})


def create_invitations(link: SurveyLink, count: int, *, actor: User | SystemActor) -> list[SurveyInvitation]:
    """``count`` single-use links for invited respondents, numbered after the existing ones."""
    require(actor, Action.MANAGE_SURVEY, link.participation)
    start = link.invitations.count()
    invitations = SurveyInvitation.objects.bulk_create(
        SurveyInvitation(link=link, token=new_token(), label=str(start + i + 1)) for i in range(count)
    )
    _audit_link("survey.invitations_created", link, actor, new={"count": count})
    return invitations


def _audit_link(
    action: str,
    link: SurveyLink,
    actor: User | SystemActor,
    *,
    old: dict[str, object] | None = None,
    new: dict[str, object] | None = None,
) -> None:
    record_event(
        action,
        actor=actor,
        object_type="survey_link",
        object_id=link.pk,
        old=old,
        new={"region": link.participation.region.code, "dimension": link.smart_dimension, **(new or {})},
        participation=link.participation,
    )


# --- submissions -------------------------------------------------------------------------------------


MEDIAN_TTL = 60.0
# The questions of an instrument's smart dimension, keyed by the instrument's id and load time (an
# instrument is frozen once its cycle opens and only ever replaced whole: a new load time, a new key).
QUESTIONS: ProcessCache[list[Question]] = ProcessCache("survey.questions", maxsize=256)
# The median completion time of a dimension's latest responses: a slowly moving reference, at most a
# minute old.
MEDIANS: ProcessCache[float] = ProcessCache("survey.median_duration", maxsize=256, ttl=MEDIAN_TTL)
# When this process last flushed a cycle's pending recomputes (the leading edge of the debounce).
FLUSHED: ProcessCache[float] = ProcessCache("survey.recompute_debounce", maxsize=64)


def _instrument_key(link: SurveyLink) -> tuple[int, object, str] | None:
    """The link's instrument and smart dimension, when the link was loaded with them (``LINK_RELATED``).

    An instrument is frozen once its cycle's self-assessment opens and is only ever replaced whole (a new
    row, a new load time), so its questions can be kept in memory under its id and load time."""
    instrument = getattr(link.participation.cycle, "instrument", None)
    if instrument is None:
        return None
    return (instrument.pk, instrument.loaded_at, link.smart_dimension)


def survey_questions(link: SurveyLink) -> list[Question]:
    """The questions of the link's smart dimension in the cycle's instrument, in order."""
    key = _instrument_key(link)
    cached = QUESTIONS.get(key) if key else None
    if cached is None:
        cached = list(
            Question.objects.filter(
                instrument__cycle_id=link.participation.cycle_id, smart_dimension=link.smart_dimension
            ).order_by("number")
        )
        if key is not None and cached:
            QUESTIONS.set(key, cached)
    return cached


def find_replay(submission_id: str, digest: str | None) -> Outcome | None:
    """REPLAY or CONFLICT when ``submission_id`` is stored already (``digest`` None: the body is invalid
    and so cannot be the stored one), None when it is new."""
    stored = (
        SurveyResponse.objects.filter(response_id=submission_id)
        .values_list("submission_digest", flat=True)
        .first()
    )
    if stored is None:
        return None
    return Outcome.REPLAY if digest is not None and stored == digest else Outcome.CONFLICT


def digest_of(link: SurveyLink, submission: Submission, invitation: SurveyInvitation | None) -> str:
    return submission_digest(
        invitation.token if invitation else link.token,
        submission.answers,
        submission.started_at,
        submission.completed_at,
        submission.contact_hash,
        submission.consent,
    )


class _Closed(Exception):
    pass


def submit_response(
    link: SurveyLink,
    submission: Submission,
    *,
    questions: list[Question],
    invitation: SurveyInvitation | None = None,
    client_hash: str = "",
    now: datetime | None = None,
) -> Outcome:
    """Store an online response exactly once.

    The database decides: ``response_id`` is unique (and so is a response's invitation), so of two
    concurrent identical submissions one is stored and the other finds it; nothing is checked first and
    inserted later. A flagged or over-quota response is stored too, marked and not included.
    """
    now = (now or timezone.now()).replace(microsecond=0)
    digest = digest_of(link, submission, invitation)
    try:
        with transaction.atomic():
            changed = _store(link, submission, questions, invitation, client_hash, digest, now)
    except _Closed:
        return find_replay(submission.submission_id, digest) or Outcome.CLOSED
    except IntegrityError:
        replay = find_replay(submission.submission_id, digest)
        if replay is not None:
            return replay
        if invitation is not None:  # the invitation took another response meanwhile
            return Outcome.CLOSED
        raise
    if changed:
        _recompute_soon(link.participation)
    return Outcome.STORED


def _store(
    link: SurveyLink,
    submission: Submission,
    questions: list[Question],
    invitation: SurveyInvitation | None,
    client_hash: str,
    digest: str,
    now: datetime,
) -> bool:
    # The link's row lock orders the submissions of one link: the quality checks see every earlier one.
    locked = SurveyLink.objects.select_for_update().only("closed_at", "closes_at").get(pk=link.pk)
    if not locked.is_open(now) or not _in_survey_window(link.participation.cycle, now):
        raise _Closed
    earlier = _earlier(SurveyResponse.objects.filter(link=link).order_by("-id")[:RECENT])
    # The region's last hours on all its links (a device or a burst going round the links). Submissions
    # to other links are not ordered by this link's lock: one arriving meanwhile is seen by the next.
    region = _earlier(
        SurveyResponse.objects.filter(
            participation_id=link.participation_id,
            channel=Channel.ONLINE,
            submitted_at__gt=now - quality.REGION_BURST_WINDOW,
            submitted_at__lte=now,
        ).order_by("-id")[:RECENT]
    )
    same_contact = (
        _earlier(SurveyResponse.objects.filter(link=link, contact_hash=submission.contact_hash)[:RECENT])
        if submission.contact_hash
        else []
    )
    duration = submission.duration_ms
    if duration is None:
        duration = max(0, int((now - submission.started_at).total_seconds() * 1000))
    pattern = "".join(str(submission.answers[q.number]) for q in questions)
    fallback = (
        None if quality.median_ms(e.duration_ms for e in earlier) is not None else _dimension_median(link)
    )
    candidate = quality.Candidate(
        duration,
        pattern,
        client_hash,
        now,
        contact_hash=submission.contact_hash,
        started_at=submission.started_at,
        link=link.pk,
    )
    verdict = quality.assess(candidate, earlier, fallback, region=region, same_contact=same_contact)
    flags = verdict.flags
    over_quota = False
    if not flags:
        # One statement takes a place within the quota or finds none (no count-then-insert race), and
        # marks the link's results as behind (``changes``, see LinkRecompute).
        over_quota = not SurveyLink.objects.filter(pk=link.pk, quota_used__lt=F("quota")).update(
            quota_used=F("quota_used") + 1, changes=F("changes") + 1
        )
    included = not flags and not over_quota
    participation = link.participation
    response = SurveyResponse.objects.create(
        participation=participation,
        smart_dimension=link.smart_dimension,
        response_id=submission.submission_id,
        respondent=f"undangan {invitation.label}" if invitation else "",
        submitted_at=now,
        channel=Channel.ONLINE,
        included=included,
        review=Review.AUTO if included else Review.PENDING,
        content_digest=response_digest(
            participation.region.code,
            link.smart_dimension,
            f"undangan {invitation.label}" if invitation else "",
            now,
            submission.answers,
        ),
        link=link,
        invitation=invitation,
        submission_digest=digest,
        started_at=submission.started_at,
        duration_ms=duration,
        pattern=pattern,
        consent=submission.consent,
        contact_hash=submission.contact_hash,
        client_hash=client_hash,
        over_quota=over_quota,
        **flags.as_fields(),
    )
    # One INSERT of the nine answers: the busiest statement of the survey, without building models.
    insert_values(
        SurveyAnswer,
        ANSWER_FIELDS,
        [(response.pk, q.pk, submission.answers[q.number]) for q in questions],
    )
    demoted = _flag_earlier(verdict.earlier)
    return included or demoted > 0


EARLIER_COLUMNS = (
    "duration_ms", "pattern", "client_hash", "submitted_at", "flag_burst", "id", "link_id", "contact_hash",
    "started_at",
)  # fmt: skip


def _earlier(responses: QuerySet[SurveyResponse]) -> list[quality.Earlier]:
    """Stored responses as the quality rules see them (``EARLIER_COLUMNS`` in ``quality.Earlier``'s order)."""
    return [quality.Earlier(*row) for row in responses.values_list(*EARLIER_COLUMNS)]


def _in_survey_window(cycle: Cycle, now: datetime) -> bool:
    """The cycle's survey window, when it has one (a cycle without one, like the 2024 history, has links
    that are open until closed)."""
    opens, closes = cycle.survey_opens, cycle.survey_closes
    return (opens is None or opens <= now) and (closes is None or now < closes)


def _dimension_median(link: SurveyLink) -> float | None:
    """The median completion time of the latest online responses to the same questions in the cycle
    (kept a minute per process: a reference that moves slowly)."""
    key = _instrument_key(link)
    cached = MEDIANS.get(key) if key else None
    if cached is not None:
        return cached
    durations = (
        SurveyResponse.objects.filter(
            participation__cycle_id=link.participation.cycle_id,
            smart_dimension=link.smart_dimension,
            duration_ms__isnull=False,
        )
        .order_by("-id")
        .values_list("duration_ms", flat=True)[:RECENT]
    )
    median = quality.median_ms(durations)
    if key is not None and median is not None:
        MEDIANS.set(key, median)
    return median


def _flag_earlier(marks: dict[int, quality.Flags]) -> int:
    """Add the flags a new response's verdict gives earlier ones (the other half of a pair, the rest of a
    burst). Included ones go back to review and give back their place in their link's quota; returns
    how many were demoted."""
    if not marks:
        return 0
    # Locked first: of two submissions demoting the same response, the second sees it demoted already
    # and gives back no second place.
    demoted = list(
        SurveyResponse.objects.select_for_update()
        .filter(pk__in=list(marks), review=Review.AUTO)
        .values_list("pk", "link_id")
    )
    SurveyResponse.objects.filter(pk__in=[pk for pk, _link in demoted]).update(
        review=Review.PENDING, included=False
    )
    by_flags: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for key, flags in marks.items():
        by_flags[tuple(flags.names())].append(key)
    for names, keys in by_flags.items():
        SurveyResponse.objects.filter(pk__in=keys).update(**{f"flag_{name}": True for name in names})
    per_link = Counter(link_id for _pk, link_id in demoted if link_id is not None)
    for link_id, count in per_link.items():
        SurveyLink.objects.filter(pk=link_id).update(
            quota_used=F("quota_used") - count, changes=F("changes") + 1
        )
    return len(demoted)


# --- review ------------------------------------------------------------------------------------------


class ReviewError(ValueError):
    pass


@transaction.atomic
def review_responses(
    cycle: Cycle,
    responses: QuerySet[SurveyResponse],
    *,
    include: bool,
    reason: str,
    actor: User | SystemActor,
) -> int:
    """Include or exclude responses of ``cycle`` by an admin's decision, with a reason; audited; recomputes
    the regions whose inputs changed. Returns how many responses changed."""
    require(actor, Action.REVIEW_SURVEY, cycle)
    responses = responses.filter(participation__cycle=cycle)
    reason = reason.strip()
    if not reason:
        raise ReviewError("a reason is required")
    decision = Review.INCLUDED if include else Review.EXCLUDED
    now = timezone.now()
    changed: list[SurveyResponse] = []
    quota: dict[int, int] = defaultdict(int)
    regions: dict[int, set[int]] = defaultdict(set)
    cycles: dict[int, Cycle] = {}
    for response in responses.select_for_update(of=("self",)).select_related(
        "participation__cycle", "participation__region"
    ):
        if response.review == decision and response.included == include:
            continue
        old = {"review": response.review, "included": response.included}
        if response.included != include:
            if response.link_id:
                quota[response.link_id] += 1 if include else -1
            regions[response.participation.cycle_id].add(response.participation.region_id)
            cycles[response.participation.cycle_id] = response.participation.cycle
        response.review, response.included, response.review_reason = decision, include, reason
        response.reviewed_by, response.reviewed_at = person(actor), now
        changed.append(response)
        record_event(
            "survey.response_reviewed",
            actor=actor,
            object_type="survey_response",
            object_id=response.response_id,
            old=old,
            new={"review": decision, "included": include, "flags": response.flags},
            reason=reason,
            participation=response.participation,
        )
    SurveyResponse.objects.bulk_update(
        changed, ["review", "included", "review_reason", "reviewed_by", "reviewed_at"], batch_size=500
    )
    for link_id, delta in quota.items():
        SurveyLink.objects.filter(pk=link_id).update(
            quota_used=F("quota_used") + delta, changes=F("changes") + 1
        )
    for cycle_id, region_ids in regions.items():
        inputs_changed.send(sender=SurveyResponse, cycle=cycles[cycle_id], region_ids=region_ids)
    return len(changed)


# --- imports (survey/imports.py parses and validates; this stores) ------------------------------------


@dataclass(frozen=True)
class ImportedResponse:
    participation: Participation
    dimension: str
    response_id: str
    respondent: str
    submitted_at: datetime
    content_digest: str
    answers: list[tuple[int, int]]  # (question id, score)


@transaction.atomic
def store_imported_responses(
    responses: list[ImportedResponse], *, channel: str, actor: User | SystemActor
) -> int:
    """Store new responses from a file (validated, none stored before) with their answers; recomputes the
    regions they belong to. Returns how many were stored."""
    for participation in {r.participation.pk: r.participation for r in responses}.values():
        require(actor, Action.IMPORT_SURVEY, participation)
    # COPY on PostgreSQL (as the answers), then the new ids by their unique response ids.
    ids = insert_objects(
        SurveyResponse,
        [
            SurveyResponse(
                participation=r.participation,
                smart_dimension=r.dimension,
                response_id=r.response_id,
                respondent=r.respondent,
                submitted_at=r.submitted_at,
                channel=channel,
                content_digest=r.content_digest,
            )
            for r in responses
        ],
        key="response_id",
    )
    insert_rows(
        SurveyAnswer,
        ANSWER_FIELDS,
        ((ids[r.response_id], question_id, score) for r in responses for question_id, score in r.answers),
    )
    by_cycle: dict[int, tuple[Cycle, set[int]]] = {}
    for r in responses:
        by_cycle.setdefault(r.participation.cycle_id, (r.participation.cycle, set()))[1].add(
            r.participation.region_id
        )
    for cycle, region_ids in by_cycle.values():
        inputs_changed.send(sender=SurveyResponse, cycle=cycle, region_ids=region_ids)
    return len(ids)


# --- recomputation -----------------------------------------------------------------------------------


def recompute_survey(cycle: Cycle, *, actor: User | SystemActor) -> int:
    """Bring the results of every region whose links changed up to date now (``survey-recompute``)."""
    require(actor, Action.RECOMPUTE_SURVEY, cycle)
    return flush_pending_recomputes(cycle)


def flush_pending_recomputes(cycle: Cycle, participation_ids: Iterable[int] | None = None) -> int:
    """Recompute, through ``inputs_changed``, the regions of ``cycle`` whose links changed since the last
    flush (all, or those of the given participations); returns how many regions."""
    with transaction.atomic():
        behind = SurveyLink.objects.filter(participation__cycle=cycle, changes__gt=0).filter(
            Q(recomputed__isnull=True) | Q(changes__gt=F("recomputed__changes"))
        )
        if participation_ids is not None:
            behind = behind.filter(participation_id__in=list(participation_ids))
        rows = list(behind.values_list("pk", "changes", "participation__region_id"))
        if not rows:
            return 0
        # Record what was seen before recomputing: a change committed after the read above keeps its link
        # ahead of this record, so the next flush takes it; the recompute below sees everything seen here.
        LinkRecompute.objects.bulk_create(
            [LinkRecompute(link_id=pk, changes=changes) for pk, changes, _ in rows],
            update_conflicts=True,
            unique_fields=["link"],
            update_fields=["changes"],
        )
        regions = {rid for _, _, rid in rows}
        inputs_changed.send(sender=SurveyLink, cycle=cycle, region_ids=regions)
    return len(regions)


def _recompute_soon(participation: Participation) -> None:
    """After an included response: recompute the cycle's marked regions now, or leave it to the next
    response after the debounce interval (``KOTACERDAS_SURVEY_RECOMPUTE_EVERY``), an admin decision, a
    closed link or ``survey-recompute``. One flush recomputes every marked region of the cycle at once."""
    every = settings.SURVEY_RECOMPUTE_EVERY
    if every == "off":
        return
    seconds = int(every)
    cycle_id = participation.cycle_id
    if seconds:
        # Leading-edge debounce shared by every app server through the database cache; the local memo
        # spares most submissions even that query.
        last = FLUSHED.get(cycle_id)
        if last is not None and time.monotonic() - last < seconds:
            return
        FLUSHED.set(cycle_id, time.monotonic())
        if not caches["survey"].add(f"survey:recompute:{cycle_id}", 1, timeout=seconds):
            return
        flush_pending_recomputes(participation.cycle)
    else:
        flush_pending_recomputes(participation.cycle, [participation.pk])


@transaction.atomic
def purge_expired_contacts(*, actor: User | SystemActor, now: datetime | None = None) -> int:
    """Forget the contact and client hashes of responses older than the retention
    (``KOTACERDAS_SURVEY_CONTACT_DAYS``, docs/personal-data.md): they serve only the repeat-contact and
    same-client checks while a survey runs. The answers stay. Returns how many responses were purged."""
    from datetime import timedelta

    cutoff = (now or timezone.now()) - timedelta(days=settings.SURVEY_CONTACT_RETENTION_DAYS)
    expired = SurveyResponse.objects.filter(submitted_at__lt=cutoff).exclude(contact_hash="", client_hash="")
    purged = expired.update(contact_hash="", client_hash="")
    if purged:
        record_event(
            "survey.contacts_purged",
            actor=actor,
            object_type="survey_response",
            new={"responses": purged, "before": cutoff.isoformat()},
        )
    return purged
