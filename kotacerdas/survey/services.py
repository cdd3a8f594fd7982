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
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from kotacerdas.accounts.actors import person
from kotacerdas.accounts.models import User
from kotacerdas.audit.services import record_event
from kotacerdas.core.actors import SystemActor
from kotacerdas.core.bulk import insert_rows, insert_values
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
    RateCounter,
    Review,
    SmartDimension,
    SurveyAnswer,
    SurveyInvitation,
    SurveyLink,
    SurveyResponse,
)
from kotacerdas.survey.rates import Window
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
    LIMITED = "limited"  # 429: over a rate limit (``submit_response``'s ``rates``)


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


class StaleLink(Exception):
    """The link's cycle has another instrument than the link's cached copy: look the link up again."""


def submit_response(
    link: SurveyLink,
    submission: Submission,
    *,
    questions: list[Question],
    invitation: SurveyInvitation | None = None,
    client_hash: str = "",
    now: datetime | None = None,
    notes: dict[str, Any] | None = None,
    rates: tuple[Window, Window] | None = None,
) -> Outcome:
    """Store an online response exactly once.

    The database decides: ``response_id`` is unique (and so is a response's invitation), so of two
    concurrent identical submissions one is stored and the other finds it; nothing is checked first and
    inserted later. A flagged or over-quota response is stored too, marked and not included.

    ``rates`` (``ratelimit.windows``): the client's and then the link's rate-limit hit, counted with the
    link's lock (one statement on PostgreSQL); LIMITED when either is over, with ``notes["retry_after"]``
    the seconds to wait. A stored submission is acknowledged and a closed link refused before a limit is.

    ``notes`` (when given) receives ``repeat``: whether the same client had answered the link before,
    when that is known from what the quality rules read (None when the link has more earlier responses
    than they read), and ``changed``: whether the region's inputs changed; the caller then calls
    ``recompute_soon`` itself once its transaction is committed (the view stores within its own).
    Raises StaleLink when ``link`` is a cached copy whose cycle's instrument has been replaced since.

    It writes within the caller's transaction, without a savepoint of its own (two round trips fewer):
    nothing raises once something is written, and a conflict is an INSERT that inserts nothing.
    """
    now = (now or timezone.now()).replace(microsecond=0)
    digest = digest_of(link, submission, invitation)
    told = notes if notes is not None else {}
    with transaction.atomic(savepoint=False):
        outcome, changed = _store(
            link, submission, questions, invitation, client_hash, digest, now, told, rates
        )
    if outcome is None:  # raised out here: the caller's transaction is not marked for rollback
        raise StaleLink
    if notes is not None:
        notes["changed"] = changed
    elif changed:
        recompute_soon(link.participation)
    return outcome


# --- the intake's SQL: plain statements built once per database, no ORM compilation per submission ----


@dataclass(frozen=True)
class _IntakeSQL:
    lock: str  # the link's lock, its state and the digest stored under the submission's id
    lock_counting: str  # the same, counting the two rate-limit hits (PostgreSQL; SQLite counts first)
    gather: str
    gather_contact: str
    take_place: str  # SQLite; PostgreSQL takes the place in ``insert``
    flag_earlier: str  # PostgreSQL: ``_flag_earlier`` in one statement (the ORM's four or more elsewhere)
    insert: str  # PostgreSQL: the place in the quota, the response and its answers; SQLite: the response
    columns: tuple[str, ...]  # the response's columns given as parameters, in ``insert``'s order
    postgres: bool


_INTAKE: dict[str, _IntakeSQL] = {}
# The first key of the region's advisory lock (PostgreSQL), the second being the participation's id.
REGION_LOCK = 0x5355  # "SU"
# The response's columns PostgreSQL's ``insert`` computes from whether it took a place in the quota.
_PLACE_COLUMNS = {
    "included": "EXISTS (SELECT 1 FROM q)",
    "review": (
        f"CASE WHEN EXISTS (SELECT 1 FROM q) THEN '{Review.AUTO.value}' ELSE '{Review.PENDING.value}' END"
    ),
    "over_quota": "(%s AND NOT EXISTS (SELECT 1 FROM q))",
}


def _db() -> BaseDatabaseWrapper:
    return connections[router.db_for_write(SurveyResponse)]


def _intake_sql() -> _IntakeSQL:
    connection = _db()
    found = _INTAKE.get(connection.alias)
    if found is not None:
        return found
    q = connection.ops.quote_name
    link, response, answer = (q(m._meta.db_table) for m in (SurveyLink, SurveyResponse, SurveyAnswer))
    participation, cycle = q(Participation._meta.db_table), q(Cycle._meta.db_table)
    instrument = q(Question._meta.get_field("instrument").related_model._meta.db_table)
    rate = q(RateCounter._meta.db_table)
    postgres = connection.vendor == "postgresql"
    # On PostgreSQL the submissions of one region also take a transaction-level advisory lock on it, first:
    # a response can demote earlier ones on the region's other links (a burst going round them) and give
    # back their places in those links' quotas, and two submissions doing that for each other's links
    # while each holds its own link would deadlock. SQLite writes one transaction at a time anyway.
    region_lock = ", pg_advisory_xact_lock(%s::int, %s::int)" if postgres else ""
    state = "closed_at, closes_at, survey_opens, survey_closes, instrument_id, loaded_at"
    locked = (
        f"SELECT l.closed_at, l.closes_at, c.survey_opens, c.survey_closes, i.id AS instrument_id, "
        f"i.loaded_at{region_lock} "
        f"FROM {link} l JOIN {participation} p ON p.id = l.participation_id "
        f"JOIN {cycle} c ON c.id = p.cycle_id LEFT JOIN {instrument} i ON i.cycle_id = c.id "
        f"WHERE l.id = %s" + (" FOR UPDATE OF l" if connection.features.has_select_for_update_of else "")
    )
    stored = f"(SELECT submission_digest FROM {response} WHERE response_id = %s)"
    lock = f"WITH lk AS ({locked}) SELECT {state}, {stored}, NULL, NULL FROM lk"
    # The rate-limit hits read the lock's row, so the lock is taken first: every submission counting a
    # hit of a link's scopes holds that link's lock, and no two wait for each other's counters. The link's
    # hit is counted only while the client is within its own limit (``count_rate_hits``).
    lock_counting = (
        f"WITH lk AS ({locked}), "
        f"f AS ({_rate_upsert(rate, 'SELECT %s, %s, 1 FROM lk')}), "
        f"t AS ({_rate_upsert(rate, 'SELECT %s, %s, 1 FROM f WHERE f.hits <= %s')}) "
        f"SELECT {state}, {stored}, (SELECT hits FROM f), (SELECT hits FROM t) FROM lk"
    )
    # Earlier responses in ``quality.Earlier``'s field order, tagged 1 (the link's latest), 2 (the
    # region's recent online ones) and 3 (the link's with the same contact), each newest first.
    fields = (
        "duration_ms, pattern, client_hash, submitted_at, flag_burst, id, link_id, contact_hash, started_at"
    )
    part = (
        f"SELECT * FROM (SELECT {{0}} AS part, {fields} FROM {response} WHERE {{1}} "
        f"ORDER BY id DESC LIMIT %s) AS t{{0}}"
    )
    parts = [
        part.format(1, "link_id = %s"),
        part.format(2, "participation_id = %s AND channel = %s AND submitted_at > %s AND submitted_at <= %s"),
    ]
    contact = part.format(3, "link_id = %s AND contact_hash = %s")
    order = " ORDER BY 1, 7 DESC"
    take_place = (
        f"UPDATE {link} SET quota_used = quota_used + 1, changes = changes + 1 "
        f"WHERE id = %s AND quota_used < quota"
    )
    every = tuple(str(f.column) for f in SurveyResponse._meta.concrete_fields if not f.primary_key)
    names = ", ".join(q(c) for c in every)
    if postgres:
        # One statement: a place in the quota when the response is clean (and the link's results marked
        # as behind, ``changes``), the response, included when it took a place, and its answers. A
        # conflict inserts nothing (and the caller gives the place back).
        columns = tuple(c for c in every if c not in _PLACE_COLUMNS or c == "over_quota")
        values = ", ".join(_PLACE_COLUMNS.get(c, "%s") for c in every)
        insert = (
            f"WITH q AS ({take_place} AND %s RETURNING 1), "
            f"r AS (INSERT INTO {response} ({names}) VALUES ({values}) ON CONFLICT DO NOTHING RETURNING id), "
            f"a AS (INSERT INTO {answer} (response_id, question_id, score) "
            f"SELECT r.id, v.question, v.score FROM r CROSS JOIN (VALUES {{}}) AS v(question, score)) "
            f"SELECT (SELECT id FROM r), EXISTS (SELECT 1 FROM q)"
        )
    else:
        columns = every
        values = ", ".join(["%s"] * len(every))
        insert = f"INSERT INTO {response} ({names}) VALUES ({values}) ON CONFLICT DO NOTHING RETURNING id"
    # ``_flag_earlier``'s steps in one statement: lock the marked responses in the order of their ids,
    # add the flags, demote those that were included (to review, out of the result) and give their places
    # back to their links' quotas (marking those links' results as behind).
    flags = ", ".join(f"flag_{name}" for name in quality.FLAG_NAMES)
    added = ", ".join(f"flag_{name} = r.flag_{name} OR m.flag_{name}" for name in quality.FLAG_NAMES)
    flag_earlier = (
        f"WITH m (id, {flags}) AS (VALUES {{}}), "
        f"lk AS (SELECT r.id, r.link_id, r.review = '{Review.AUTO.value}' AS demote FROM {response} r "
        f"WHERE r.id IN (SELECT id FROM m) ORDER BY r.id FOR UPDATE), "
        f"u AS (UPDATE {response} r SET {added}, "
        f"review = CASE WHEN lk.demote THEN '{Review.PENDING.value}' ELSE r.review END, "
        f"included = r.included AND NOT lk.demote "
        f"FROM m JOIN lk ON lk.id = m.id WHERE r.id = m.id RETURNING lk.link_id, lk.demote), "
        f"d AS (SELECT link_id, count(*) AS n FROM u WHERE demote AND link_id IS NOT NULL GROUP BY link_id), "
        f"g AS (UPDATE {link} l SET quota_used = l.quota_used - d.n, changes = l.changes + 1 "
        f"FROM d WHERE l.id = d.link_id) "
        f"SELECT count(*) FROM u WHERE demote"
    )
    sql = _IntakeSQL(
        lock=lock,
        flag_earlier=flag_earlier,
        lock_counting=lock_counting,
        gather=" UNION ALL ".join(parts) + order,
        gather_contact=" UNION ALL ".join([*parts, contact]) + order,
        take_place=take_place + " RETURNING 1",
        insert=insert,
        columns=columns,
        postgres=postgres,
    )
    _INTAKE[connection.alias] = sql
    return sql


def _server_cursor(raw: Any) -> Any:
    """A cursor on ``raw`` (psycopg) that binds parameters on the server, every integer as a bigint: one
    prepared statement per statement text, whatever the values."""
    import psycopg
    from psycopg.types.numeric import Int8Dumper

    cursor = psycopg.Cursor(raw)
    cursor.adapters.register_dumper(int, Int8Dumper)
    return cursor


def _cursors(m: BaseDatabaseWrapper, count: int) -> list[Any]:
    """``count`` server-binding cursors (``_server_cursor``) of the connection's own, kept with it."""
    m.validate_no_broken_transaction()
    m.ensure_connection()
    kept = getattr(m, "_survey_intake_cursors", None)
    if kept is None or kept[0] is not m.connection:
        kept = (m.connection, [])
        m._survey_intake_cursors = kept  # type: ignore[attr-defined]
    while len(kept[1]) < count:
        kept[1].append(_server_cursor(m.connection))
    return kept[1][:count]


def _log(m: BaseDatabaseWrapper, statements: list[tuple[str, list[Any]]], started: float) -> None:
    if m.queries_logged:
        for sql, params in statements:
            m.queries_log.append({"sql": f"{sql} -- {params!r}", "time": f"{time.monotonic() - started:.3f}"})


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """One intake statement and its rows (each returns rows: a SELECT, or RETURNING).

    On PostgreSQL through a cursor of the connection's own that binds on the server and prepares each
    statement the first time the connection runs it: a submission's statements are parsed and planned
    once per app-server connection, not once per submission (a third of the database's work). Logged as
    Django logs its own queries when it does (tests count them). Elsewhere Django's cursor."""
    m = _db()
    if not _intake_sql().postgres:
        with m.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    started = time.monotonic()
    (cursor,) = _cursors(m, 1)
    with m.wrap_database_errors:
        cursor.execute(sql, params, prepare=True)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    _log(m, [(sql, params)], started)
    return rows


def _run_together(statements: list[tuple[str, list[Any]]]) -> list[list[tuple[Any, ...]]]:
    """Intake statements sent in one round trip on PostgreSQL (psycopg's pipeline mode, with the
    transaction's BEGIN): the server runs them one after the other, each with a snapshot taken when it
    starts, so each sees what committed while the ones before it waited for a lock. One after the other
    elsewhere."""
    m = _db()
    if not _intake_sql().postgres:
        return [_run(sql, params) for sql, params in statements]
    started = time.monotonic()
    cursors = _cursors(m, len(statements))
    with m.wrap_database_errors:
        with m.connection.pipeline():
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql, params, prepare=True)
        rows = [cursor.fetchall() for cursor in cursors]
    _log(m, statements, started)
    return rows


def _moment(value: object) -> datetime | None:
    """A timestamp as the database cursor returns it (SQLite: text in UTC), aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _LinkState:
    closed_at: datetime | None
    closes_at: datetime | None
    survey_opens: datetime | None
    survey_closes: datetime | None
    instrument_id: int | None
    loaded_at: datetime | None

    def open(self, now: datetime) -> bool:
        """The link is open and so is its cycle's survey window, when it has one (a cycle without one,
        like the 2024 history, has links that are open until closed)."""
        return (
            self.closed_at is None
            and (self.closes_at is None or now < self.closes_at)
            and (self.survey_opens is None or self.survey_opens <= now)
            and (self.survey_closes is None or now < self.survey_closes)
        )


@dataclass(frozen=True)
class _Locked:
    state: _LinkState
    stored_digest: str | None  # of the response stored under the submission's id, if one is
    hits: tuple[int | None, int | None]  # the rate-limit windows' counts, when counted


def _lock_link(
    sql: _IntakeSQL,
    link: SurveyLink,
    submission_id: str,
    rates: tuple[Window, Window] | None,
    gather: tuple[str, list[Any]],
) -> tuple[_Locked | None, list[tuple[Any, ...]] | None]:
    """Lock the link's row (and on PostgreSQL its region) and read what decides whether it takes a
    response now: its state, the digest already stored under ``submission_id`` and the rate-limit hits
    counted (one statement on PostgreSQL); None when the link is gone. On PostgreSQL ``gather`` (the
    earlier responses' statement) goes in the same round trip, after the lock, and its rows come back
    too (None elsewhere: run it when it is needed)."""
    params: list[Any] = [REGION_LOCK, link.participation_id, link.pk] if sql.postgres else [link.pk]
    hits: tuple[int | None, int | None] = (None, None)
    statement = sql.lock
    if rates is not None and sql.postgres:
        one, two = rates
        params += [one.scope, one.expires, two.scope, two.expires, one.rate.count]
        statement = sql.lock_counting
    elif rates is not None:
        one, two = rates
        hits = count_rate_hits(one.scope, one.expires, one.rate.count, two.scope, two.expires)
    gathered = None
    if sql.postgres:
        rows, gathered = _run_together([(statement, [*params, submission_id]), gather])
    else:
        rows = _run(statement, [*params, submission_id])
    if not rows:
        return None, gathered
    row = rows[0]
    state = _LinkState(
        _moment(row[0]), _moment(row[1]), _moment(row[2]), _moment(row[3]), row[4], _moment(row[5])
    )
    locked = _Locked(state, row[6], (row[7], row[8]) if sql.postgres and rates is not None else hits)
    return locked, gathered


def _gather_statement(
    sql: _IntakeSQL,
    link_id: int,
    participation_id: int,
    contact_hash: str,
    since: datetime,
    until: datetime,
    limit: int,
) -> tuple[str, list[Any]]:
    """The query of the link's latest ``limit`` responses, the region's online ones submitted in
    (since, until], and (with a contact) the link's with the same contact: three lists in one."""
    adapt = _db().ops.adapt_datetimefield_value
    params: list[Any] = [link_id, limit, participation_id, Channel.ONLINE.value]
    params += [adapt(since), adapt(until), limit]
    if contact_hash:
        params += [link_id, contact_hash, limit]
    return (sql.gather_contact if contact_hash else sql.gather), params


def _earlier(
    rows: list[tuple[Any, ...]], until: datetime
) -> tuple[list[quality.Earlier], list[quality.Earlier], list[quality.Earlier]]:
    """``_gather_statement``'s rows as its three lists, newest first."""
    lists: tuple[list[quality.Earlier], ...] = ([], [], [])
    for part, duration, pattern, client, at, burst, pk, link, contact, started in rows:
        lists[part - 1].append(
            quality.Earlier(
                duration,
                pattern,
                client,
                _moment(at) or until,  # submitted_at is never null
                bool(burst),
                pk,
                link,
                contact,
                _moment(started),
            )
        )
    return lists[0], lists[1], lists[2]


def _insert_response(
    sql: _IntakeSQL, values: dict[str, Any], answers: list[tuple[int, int]], clean: bool
) -> tuple[int | None, bool]:
    """The response and its answers, and a place in the link's quota when ``clean`` and one is left (the
    response then included): one statement on PostgreSQL, three on SQLite. The response's id (None when
    its id or invitation was stored already: nothing inserted) and whether it took a place."""
    m = _db()
    if sql.postgres:
        row = [values[column] for column in sql.columns]
        pairs = ", ".join(["(%s, %s)"] * len(answers))
        ((response_id, took),) = _run(
            sql.insert.format(pairs),
            [values["link_id"], clean, *row, *(v for pair in answers for v in pair)],
        )
        return response_id, bool(took)
    took = clean and bool(_run(sql.take_place, [values["link_id"]]))
    included = {
        "included": took,
        "review": (Review.AUTO if took else Review.PENDING).value,
        "over_quota": clean and not took,
    }
    row = []
    for column in sql.columns:
        value = included[column] if column in included else values[column]
        row.append(m.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value)
    found = _run(sql.insert, row)
    if not found:
        return None, took
    response_id = found[0][0]
    insert_values(SurveyAnswer, ANSWER_FIELDS, [(response_id, q, score) for q, score in answers])
    return response_id, took


def _store(
    link: SurveyLink,
    submission: Submission,
    questions: list[Question],
    invitation: SurveyInvitation | None,
    client_hash: str,
    digest: str,
    now: datetime,
    notes: dict[str, Any],
    rates: tuple[Window, Window] | None,
) -> tuple[Outcome | None, bool]:
    """Store under the link's row lock: the outcome (None: the link's copy is stale) and whether the
    region's inputs changed. ``notes`` receives ``repeat`` (see ``submit_response``) and, when LIMITED,
    ``retry_after``.

    Hot path, in three prepared statements of plain SQL on PostgreSQL (``_IntakeSQL``) and two round
    trips: the lock, with the link's open/closed state and survey window, a replay's stored digest and the
    rate-limit hits read in it, sent with the earlier responses the quality rules compare with; then the
    quota's place, the response and its answers."""
    sql = _intake_sql()
    # The link's latest, the region's last hours on all its links (a device or a burst going round the
    # links; submissions to other links are not ordered by this link's lock: one arriving meanwhile is
    # seen by the next), the link's responses with the same contact: one query, read after the lock.
    gather = _gather_statement(
        sql,
        link.pk,
        link.participation_id,
        submission.contact_hash,
        now - quality.REGION_BURST_WINDOW,
        now,
        RECENT,
    )
    # The link's row lock orders the submissions of one link: the quality checks see every earlier one.
    locked, gathered = _lock_link(sql, link, submission.submission_id, rates, gather)
    if locked is not None and locked.stored_digest is not None:
        return (Outcome.REPLAY if locked.stored_digest == digest else Outcome.CONFLICT), False
    if locked is None or not locked.state.open(now):
        # Read again: the id may have been stored while this waited for the lock.
        return find_replay(submission.submission_id, digest) or Outcome.CLOSED, False
    if rates is not None:
        wait = rates[0].wait(locked.hits[0])
        wait = wait if wait is not None else rates[1].wait(locked.hits[1])
        if wait is not None:
            notes["retry_after"] = wait
            return Outcome.LIMITED, False
    key = _instrument_key(link)
    if key is not None and (locked.state.instrument_id, locked.state.loaded_at) != key[:2]:
        return None, False
    earlier, region, same_contact = _earlier(gathered if gathered is not None else _run(*gather), now)
    notes["repeat"] = any(e.client_hash == client_hash for e in earlier) if len(earlier) < RECENT else None
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
    participation = link.participation
    respondent = f"undangan {invitation.label}" if invitation else ""
    # One statement takes a place within the quota or finds none (no count-then-insert race), and marks
    # the link's results as behind (``changes``, see LinkRecompute).
    response_id, took = _insert_response(
        sql,
        {
            "participation_id": participation.pk,
            "smart_dimension": link.smart_dimension,
            "response_id": submission.submission_id,
            "respondent": respondent,
            "submitted_at": now,
            "channel": Channel.ONLINE.value,
            "content_digest": response_digest(
                participation.region.code, link.smart_dimension, respondent, now, submission.answers
            ),
            "link_id": link.pk,
            "invitation_id": invitation.pk if invitation else None,
            "submission_digest": digest,
            "started_at": submission.started_at,
            "duration_ms": duration,
            "pattern": pattern,
            "consent": submission.consent,
            "contact_hash": submission.contact_hash,
            "client_hash": client_hash,
            "over_quota": not flags,  # PostgreSQL: and no place was taken; SQLite: set from ``took``
            "review_reason": "",
            "reviewed_by_id": None,
            "reviewed_at": None,
            **flags.as_fields(),
        },
        [(q.pk, submission.answers[q.number]) for q in questions],
        clean=not flags,
    )
    if response_id is None:
        # Stored meanwhile by a submission that did not wait for this link's lock: the same id sent to
        # another link, or the invitation answered through another one. The place goes back.
        if took:
            SurveyLink.objects.filter(pk=link.pk).update(quota_used=F("quota_used") - 1)
        replay = find_replay(submission.submission_id, digest)
        if replay is not None:
            return replay, False
        if invitation is not None:
            return Outcome.CLOSED, False
        raise IntegrityError(f"submission {submission.submission_id}: inserted nothing, found nothing")
    demoted = _flag_earlier(verdict.earlier)
    return Outcome.STORED, took or demoted > 0


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
    sql = _intake_sql()
    if sql.postgres:
        rows = ", ".join(["(%s" + ", %s" * len(quality.FLAG_NAMES) + ")"] * len(marks))
        params = [v for pk, flags in marks.items() for v in (pk, *flags.as_tuple())]
        ((demoted,),) = _run(sql.flag_earlier.format(rows), params)
        return int(demoted)
    # Locked first: of two submissions demoting the same response, the second sees it demoted already
    # and gives back no second place. All of them, in the order of their ids: submissions to other links
    # of the region mark overlapping sets, and locks taken in one order cannot deadlock.
    locked = SurveyResponse.objects.select_for_update().filter(pk__in=list(marks)).order_by("pk")
    demoted = [
        (pk, link)
        for pk, link, review in locked.values_list("pk", "link_id", "review")
        if review == Review.AUTO
    ]
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


# --- rate-limit counters (``ratelimit``) ---------------------------------------------------------------


def _rate_upsert(table: str, source: str) -> str:
    return (
        f"INSERT INTO {table} (scope, expires, hits) {source} "
        f"ON CONFLICT (scope) DO UPDATE SET "
        f"hits = CASE WHEN {table}.expires = excluded.expires THEN {table}.hits + 1 ELSE 1 END, "
        f"expires = excluded.expires RETURNING hits"
    )


def count_rate_hit(scope: str, expires: int) -> int:
    """Count one hit of ``scope`` in the window ending at ``expires`` (seconds since the epoch) and return
    the window's count: one upsert (``INSERT … ON CONFLICT … DO UPDATE … RETURNING``, PostgreSQL and
    SQLite alike) that starts the window afresh when the row holds an ended one. The database applies it
    atomically, so concurrent app servers count every hit."""
    table = _db().ops.quote_name(RateCounter._meta.db_table)
    with _db().cursor() as cursor:
        cursor.execute(_rate_upsert(table, "VALUES (%s, %s, 1)"), [scope, expires])
        (hits,) = cursor.fetchone()
    return int(hits)


def count_rate_hits(
    first: str, first_expires: int, first_limit: int, then: str, then_expires: int
) -> tuple[int, int | None]:
    """``count_rate_hit`` of ``first``, and of ``then`` only when ``first`` is within ``first_limit``
    (None otherwise): one statement on PostgreSQL (two upserts in data-modifying CTEs), two on SQLite."""
    connection = _db()
    if connection.vendor != "postgresql":
        hits = count_rate_hit(first, first_expires)
        return hits, (count_rate_hit(then, then_expires) if hits <= first_limit else None)
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH f AS ({_rate_upsert(table, 'VALUES (%s, %s, 1)')}), "
            f"t AS ({_rate_upsert(table, 'SELECT %s, %s, 1 WHERE (SELECT hits FROM f) <= %s')}) "
            f"SELECT (SELECT hits FROM f), (SELECT hits FROM t)",
            [first, first_expires, then, then_expires, first_limit],
        )
        first_hits, then_hits = cursor.fetchone()
    return int(first_hits), (None if then_hits is None else int(then_hits))


def prune_rate_counters(now: int) -> int:
    """Delete the counters whose window ended by ``now`` (seconds since the epoch); how many."""
    return int(RateCounter.objects.filter(expires__lte=now).delete()[0])


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
    ids = _insert_imported(responses, channel)
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


def _insert_imported(responses: list[ImportedResponse], channel: str) -> dict[str, int]:
    """Insert imported responses as plain rows (``insert_rows``: COPY on PostgreSQL), every other column at
    its field's default; ``{response_id: id}``. The new ids are read back as those above the largest id
    before the insert (the sequence only grows; other writers' rows there are left out by their ids)."""
    connection = connections[router.db_for_write(SurveyResponse)]
    given = (
        "participation", "smart_dimension", "response_id", "respondent", "submitted_at", "channel",
        "content_digest",
    )  # fmt: skip
    fields = [f for f in SurveyResponse._meta.concrete_fields if not f.primary_key]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in fields if f.name not in given)
    table = connection.ops.quote_name(SurveyResponse._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        (before,) = cursor.fetchone()
    insert_rows(
        SurveyResponse,
        [*given, *(f.name for f in fields if f.name not in given)],
        (
            (
                r.participation.pk,
                r.dimension,
                r.response_id,
                r.respondent,
                r.submitted_at,
                channel,
                r.content_digest,
                *defaults,
            )
            for r in responses
        ),
    )
    wanted = {r.response_id for r in responses}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT response_id, id FROM {table} WHERE id > %s", [before])
        ids = {key: pk for key, pk in cursor.fetchall() if key in wanted}
    if len(ids) != len(wanted):
        raise IntegrityError(f"{len(wanted) - len(ids)} imported responses were not found after the insert")
    return ids


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


def recompute_soon(participation: Participation) -> None:
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
