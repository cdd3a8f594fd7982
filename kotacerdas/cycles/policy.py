"""The one place that decides whether an actor may change something of a cycle or a region's evaluation *now*.

Every service asks ``require(actor, action, target)`` before it writes; views ask ``may(...)`` to decide what
to offer. The answer comes from one table, ``POLICY``: for each action, who may do it, in which stages of the
region's evaluation, and inside which of the cycle's windows. Read it as pretix's permission names are read:
the table is the policy, the code below only applies it.

*Who* is the actor's relation to the target, never a role string compared in a view:

- ``ADMIN``: a ministry admin (any region).
- ``OPERATOR``: the operator of the target's own region.
- ``PANEL``: an assessor on the region's panel; ``REVIEWING``: one whose review is not yet submitted.
- ``SYSTEM``: a loader, command or background job acting as a :class:`~kotacerdas.core.actors.SystemActor`.

Panel membership belongs to the review app, which sits above this layer. The review app passes it in once,
at start-up (:func:`register_panels`), as a :class:`PanelDirectory`; the policy never queries another app's
tables or relation names. What a user may *see* is decided by ``Participation.objects.visible_to``, which
asks the same directory.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kotacerdas.accounts.models import Role
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Cycle, Participation, Stage

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kotacerdas.accounts.models import User


class Action(StrEnum):
    # self-assessment (operator)
    ANSWER = "answer"  # answers, evidence, programme register
    SUBMIT_SELF_ASSESSMENT = "submit_self_assessment"
    RETURN_SELF_ASSESSMENT = "return_self_assessment"
    # review (panel)
    ASSIGN = "assign"  # panel membership
    DECLARE_CONFLICT = "declare_conflict"
    SCORE = "score"  # an assessor's own scores, notes and findings
    SUBMIT_REVIEW = "submit_review"
    AGREE = "agree"  # an agreed question score
    CONTEST = "contest"  # the region's right of reply
    RESPOND = "respond"  # answer a reply, perhaps change one's score
    IMPORT_REVIEW = "import_review"  # scores and findings from a file (historic or offline panels)
    # citizen survey
    MANAGE_SURVEY = "manage_survey"  # links, their programme, invitations, closing
    REOPEN_SURVEY_LINK = "reopen_survey_link"
    IMPORT_SURVEY = "import_survey"
    # cycle-wide
    REVIEW_SURVEY = "review_survey"  # include or exclude flagged responses
    RECOMPUTE_SURVEY = "recompute_survey"
    IMPORT_RESULTS = "import_results"  # published dimension scores of a cycle
    PUBLISH = "publish"  # freeze the live results as a revision
    START_CYCLE = "start_cycle"  # make the next cycle from this one
    OPEN_CYCLE = "open_cycle"  # open a cycle in preparation to the regions (the invitation)
    RECORD_ATTENDANCE = "record_attendance"  # whether a region filled the self-assessment and attended
    EDIT_INSTRUMENT = "edit_instrument"  # import, copy or edit the cycle's instrument (until it is frozen)
    SCHEDULE_INTERVIEWS = "schedule_interviews"  # the interview schedule, its confirmation, unavailable days


class Relation(StrEnum):
    ADMIN = "admin"
    OPERATOR = "operator"
    PANEL = "panel"
    REVIEWING = "reviewing"
    SYSTEM = "system"


class Window(StrEnum):
    SELF_ASSESSMENT = "self_assessment"
    INTERVIEWS = "interviews"
    REPLY = "reply"


WINDOW_LABELS = {
    Window.SELF_ASSESSMENT: _("penilaian mandiri"),
    Window.INTERVIEWS: _("penilaian asesor"),
    Window.REPLY: _("sanggahan"),
}

ANY_STAGE = frozenset(Stage)
NOT_FINAL = ANY_STAGE - {Stage.FINAL}
ADMIN, OPERATOR, PANEL, REVIEWING, SYSTEM = Relation


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may do an action (any one relation suffices), in which stages, within which windows (any one
    open suffices; none = no window). ``cycle_wide`` actions target a :class:`Cycle`, the others a
    :class:`Participation`. The messages say why a refusal happened, in the user's language."""

    who: frozenset[Relation]
    refused: Promise
    stages: frozenset[Stage] = ANY_STAGE
    wrong_stage: Promise | str = ""
    windows: tuple[Window, ...] = ()
    cycle_wide: bool = False


def _rule(who: Iterable[Relation], refused: Promise, **rest: object) -> Rule:
    return Rule(frozenset(who), refused, **rest)  # type: ignore[arg-type]


# fmt: off
POLICY: dict[Action, Rule] = {
    Action.ANSWER: _rule(
        {OPERATOR}, _("Hanya operator daerah ini yang dapat mengisi penilaian mandiri."),
        stages=frozenset({Stage.NOT_STARTED, Stage.DRAFT}),
        wrong_stage=_("Penilaian mandiri sudah dikirim dan terkunci."),
        windows=(Window.SELF_ASSESSMENT,)),
    Action.SUBMIT_SELF_ASSESSMENT: _rule(
        {OPERATOR}, _("Hanya operator daerah ini yang dapat mengisi penilaian mandiri."),
        stages=frozenset({Stage.NOT_STARTED, Stage.DRAFT}),
        wrong_stage=_("Penilaian mandiri sudah dikirim dan terkunci."),
        windows=(Window.SELF_ASSESSMENT,)),
    Action.RETURN_SELF_ASSESSMENT: _rule(
        {ADMIN}, _("Hanya admin yang dapat mengembalikan penilaian mandiri."),
        stages=frozenset({Stage.SUBMITTED}),
        wrong_stage=_(
            "Hanya penilaian mandiri yang sudah dikirim dan belum dinilai yang dapat dikembalikan.")),
    Action.ASSIGN: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat menugaskan asesor."),
        stages=NOT_FINAL, wrong_stage=_("Evaluasi daerah ini sudah final.")),
    Action.DECLARE_CONFLICT: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat mencatat konflik kepentingan.")),
    Action.SCORE: _rule(
        {REVIEWING}, _("Anda tidak ditugaskan menilai daerah ini."),
        stages=frozenset({Stage.SUBMITTED, Stage.UNDER_REVIEW}),
        wrong_stage=_("Daerah ini belum mengirim penilaian mandiri."),
        windows=(Window.INTERVIEWS,)),
    Action.SUBMIT_REVIEW: _rule(
        {REVIEWING}, _("Anda tidak ditugaskan menilai daerah ini."),
        stages=frozenset({Stage.SUBMITTED, Stage.UNDER_REVIEW}),
        wrong_stage=_("Daerah ini belum mengirim penilaian mandiri."),
        windows=(Window.INTERVIEWS,)),
    Action.AGREE: _rule(
        {ADMIN, PANEL}, _("Hanya panel asesor daerah ini atau admin yang dapat menetapkan skor kesepakatan."),
        stages=frozenset({Stage.UNDER_REVIEW, Stage.SCORED, Stage.REPLIED}),
        wrong_stage=_("Belum ada skor asesor untuk disepakati."),
        windows=(Window.INTERVIEWS, Window.REPLY)),
    Action.CONTEST: _rule(
        {OPERATOR}, _("Hanya operator daerah ini yang dapat mengajukan sanggahan."),
        stages=frozenset({Stage.SCORED, Stage.REPLIED}),
        wrong_stage=_("Sanggahan hanya dapat diajukan setelah penilaian selesai."),
        windows=(Window.REPLY,)),
    Action.RESPOND: _rule(
        {ADMIN, PANEL}, _("Hanya panel asesor daerah ini atau admin yang dapat menjawab sanggahan."),
        stages=frozenset({Stage.REPLIED}), wrong_stage=_("Tidak ada sanggahan untuk dijawab."),
        windows=(Window.REPLY,)),
    Action.IMPORT_REVIEW: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat mengimpor skor.")),
    Action.MANAGE_SURVEY: _rule(
        {ADMIN, OPERATOR, SYSTEM},
        _("Hanya operator daerah ini atau admin yang dapat mengelola tautan survei.")),
    Action.REOPEN_SURVEY_LINK: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat membuka kembali tautan survei.")),
    Action.IMPORT_SURVEY: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat mengimpor jawaban survei.")),
    Action.REVIEW_SURVEY: _rule(
        {ADMIN}, _("Hanya admin yang dapat meninjau jawaban survei."), cycle_wide=True),
    Action.RECOMPUTE_SURVEY: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat menghitung ulang hasil survei."), cycle_wide=True),
    Action.IMPORT_RESULTS: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat mengimpor hasil."), cycle_wide=True),
    Action.PUBLISH: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat menerbitkan hasil."), cycle_wide=True),
    Action.START_CYCLE: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat membuat siklus berikutnya."), cycle_wide=True),
    Action.OPEN_CYCLE: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat membuka siklus untuk daerah."), cycle_wide=True),
    Action.RECORD_ATTENDANCE: _rule(
        {ADMIN, PANEL, SYSTEM}, _("Hanya panel asesor daerah ini atau admin yang dapat mencatat kehadiran.")),
    Action.EDIT_INSTRUMENT: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat mengubah instrumen penilaian."), cycle_wide=True),
    Action.SCHEDULE_INTERVIEWS: _rule(
        {ADMIN, SYSTEM}, _("Hanya admin yang dapat menyusun jadwal wawancara."), cycle_wide=True),
}
# fmt: on


class PanelSeat(Protocol):
    """What the policy needs of an assessor's place on a region's panel."""

    @property
    def submitted_at(self) -> datetime | None: ...


class PanelDirectory(Protocol):
    """Panel membership, answered by the app that owns panels (review), registered at start-up."""

    def seat(self, user: "User", participation: Participation) -> PanelSeat | None: ...

    def participations_of(self, user: "User") -> QuerySet[Participation]: ...


_panels: PanelDirectory | None = None


def register_panels(directory: PanelDirectory) -> None:
    """Called once by the review app's ``ready()``."""
    global _panels
    _panels = directory


def panels() -> PanelDirectory:
    if _panels is None:
        raise RuntimeError("no panel directory registered (is kotacerdas.review installed?)")
    return _panels


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def _deny(reason: object) -> Decision:
    return Decision(False, str(reason))


def relations(actor: "User | AnonymousUser | SystemActor", target: Cycle | Participation) -> set[Relation]:
    """The actor's relations to the target (empty for anonymous and inactive users)."""
    if isinstance(actor, SystemActor):
        return {SYSTEM}
    if not actor.is_authenticated or not actor.is_active:
        return set()
    found: set[Relation] = set()
    if actor.is_admin:
        found.add(ADMIN)
    if isinstance(target, Participation):
        if actor.role == Role.OPERATOR and actor.region_id == target.region_id:
            found.add(OPERATOR)
        if actor.role == Role.ASSESSOR:
            seat = panels().seat(actor, target)
            if seat is not None:
                found.add(PANEL)
                if seat.submitted_at is None:
                    found.add(REVIEWING)
    return found


def _window(cycle: Cycle, windows: tuple[Window, ...], now: datetime) -> Decision:
    """Allowed when any of ``windows`` is open; else the reason of the last one."""
    decision = ALLOW
    for name in windows:
        if cycle.window_is_open(name, now):
            return ALLOW
        opens, closes = cycle.window(name)
        label = WINDOW_LABELS[name]
        if opens is None or closes is None:
            decision = _deny(_("Jadwal %(window)s belum ditetapkan.") % {"window": label})
        elif now < opens:
            decision = _deny(_("Jadwal %(window)s belum dibuka.") % {"window": label})
        else:
            decision = _deny(_("Jadwal %(window)s sudah ditutup.") % {"window": label})
    return decision


def may(
    actor: "User | AnonymousUser | SystemActor",
    action: Action,
    target: Cycle | Participation,
    *,
    now: datetime | None = None,
) -> Decision:
    """Whether ``actor`` may do ``action`` on ``target`` (a participation, or a cycle for cycle-wide
    actions) at ``now`` (default: the current time)."""
    rule = POLICY[action]
    if rule.cycle_wide != isinstance(target, Cycle):
        raise TypeError(f"{action} applies to a {'cycle' if rule.cycle_wide else 'participation'}")
    if not isinstance(actor, SystemActor) and not (actor.is_authenticated and actor.is_active):
        return _deny(_("Silakan masuk terlebih dahulu."))
    have = relations(actor, target)
    if not have & rule.who:
        if REVIEWING in rule.who and PANEL in have:
            return _deny(_("Penilaian Anda untuk daerah ini sudah dikirim."))
        return _deny(rule.refused)
    if isinstance(target, Participation):
        if target.stage not in rule.stages:
            return _deny(rule.wrong_stage)
        # System actors load historic records: the windows bind people, not loaders.
        if rule.windows and SYSTEM not in have:
            if not target.cycle.is_open:
                return _deny(_("Siklus evaluasi ini belum dibuka untuk daerah."))
            return _window(target.cycle, rule.windows, now or timezone.now())
    return ALLOW


class NotAllowed(Exception):
    """Raised by services when the policy refuses; views turn it into 403 with the reason."""

    def __init__(self, decision: Decision):
        self.decision = decision
        super().__init__(decision.reason)


def require(
    actor: "User | AnonymousUser | SystemActor",
    action: Action,
    target: Cycle | Participation,
    *,
    now: datetime | None = None,
) -> None:
    decision = may(actor, action, target, now=now)
    if not decision:
        raise NotAllowed(decision)
