from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kotacerdas.accounts.models import Role


class Track(models.TextChoices):
    """The programme's tracks; each has its own dimension weights in the cycle's instrument."""

    REGULER = "REGULER", "REGULER"
    KPPN_IKN = "KPPN IKN", "KPPN IKN"


class Cycle(models.Model):
    """One yearly evaluation: its stage windows, its results letter and the facts it states."""

    year = models.PositiveSmallIntegerField(_("tahun"), unique=True)
    name = models.CharField(_("nama"), max_length=200)
    # The cycle this one was made from: its published finals are the base of ``improvement``.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_cycles"
    )
    # A practice cycle ("simulasi", `load-demo --practice`) lets newcomers walk the workflow; it is never
    # listed with the programme's cycles, never a previous cycle, and marked as such on every page.
    practice = models.BooleanField(default=False)
    # A cycle is in preparation until an admin opens it to the regions (the invitation); never by the clock.
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    programme = models.CharField(max_length=200, blank=True)
    stage = models.CharField(_("tahap"), max_length=50, blank=True)

    self_assessment_opens = models.DateTimeField(null=True, blank=True)
    self_assessment_closes = models.DateTimeField(null=True, blank=True)
    interviews_start = models.DateField(null=True, blank=True)
    interviews_end = models.DateField(null=True, blank=True)
    reply_opens = models.DateTimeField(null=True, blank=True)
    reply_closes = models.DateTimeField(null=True, blank=True)
    survey_opens = models.DateTimeField(null=True, blank=True)
    survey_closes = models.DateTimeField(null=True, blank=True)
    publication_planned = models.DateField(null=True, blank=True)

    letter_number = models.CharField(_("nomor surat"), max_length=100, blank=True)
    letter_date = models.DateField(_("tanggal surat"), null=True, blank=True)
    letter_place = models.CharField(max_length=100, blank=True)
    letter_subject = models.CharField(max_length=300, blank=True)
    letter_attachment = models.CharField(max_length=100, blank=True)
    signatory_role = models.CharField(max_length=200, blank=True)
    invitation_number = models.CharField(max_length=100, blank=True)
    invitation_date = models.DateField(null=True, blank=True)
    copies = models.JSONField(default=list, blank=True)
    # Totals the cycle's letter states (participants, filled, did_not_fill, ...): kept as stated facts,
    # not recomputed, because the platform may not hold every region's record behind them.
    facts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("siklus")
        verbose_name_plural = _("siklus")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_open(self) -> bool:
        """Opened to the regions (the invitation has gone out); before that the cycle is in preparation."""
        return self.opened_at is not None

    def self_assessment_has_opened(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.self_assessment_opens is not None and self.self_assessment_opens <= now

    def window(self, name: str) -> tuple[datetime | None, datetime | None]:
        """The ``[opens, closes)`` bounds of a window: ``self_assessment``, ``interviews``, ``survey`` or
        ``reply``.

        The interview window is given in whole days (the letter's dates); it runs from the first day's
        00:00 to the end of the last day, Asia/Jakarta time.
        """
        if name == "interviews":
            zone = ZoneInfo(settings.TIME_ZONE)
            opens = datetime.combine(self.interviews_start, time.min, zone) if self.interviews_start else None
            closes = (
                datetime.combine(self.interviews_end + timedelta(days=1), time.min, zone)
                if self.interviews_end
                else None
            )
            return opens, closes
        return getattr(self, f"{name}_opens"), getattr(self, f"{name}_closes")

    def window_is_open(self, name: str, now: datetime | None = None) -> bool:
        opens, closes = self.window(name)
        now = now or timezone.now()
        return opens is not None and closes is not None and opens <= now < closes


class Stage(models.TextChoices):
    """Where a region's evaluation stands; moved only by ``cycles.stages.move_stage`` (its table of
    transitions says which moves exist)."""

    NOT_STARTED = "not_started", _("Belum mulai")
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Dikirim")
    UNDER_REVIEW = "under_review", _("Sedang dinilai")
    SCORED = "scored", _("Dinilai")
    REPLIED = "replied", _("Ada sanggahan")
    FINAL = "final", _("Final")


class FillingRecord(models.TextChoices):
    """Whether the region is recorded as having filled the self-assessment (and so been evaluated): set when
    its self-assessment is submitted, or from a published results row; ``unknown`` otherwise."""

    FILLED = "filled", _("Mengisi")
    NOT_FILLED = "not_filled", _("Tidak mengisi")
    UNKNOWN = "unknown", _("Tidak diketahui")


class Attendance(models.TextChoices):
    """Whether the region attended its evaluation interview, as the panel or an admin records it."""

    ATTENDED = "attended", _("Hadir")
    ABSENT = "absent", _("Tidak hadir")
    UNKNOWN = "unknown", _("Belum dicatat")


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def visible_to(self, user: Any) -> "ParticipationQuerySet":
        """The participations whose workflow (answers, scores, survey progress) ``user`` may see: all for an
        admin, the own region's for an operator, the assigned ones for an assessor, none otherwise.
        Published results are public and do not go through this."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        if user.role == Role.OPERATOR and user.region_id:
            return self.filter(region_id=user.region_id)
        if user.role == Role.ASSESSOR:
            # Panels belong to the review app, above this layer: it answers through the policy's directory.
            from kotacerdas.cycles.policy import panels

            return self.filter(pk__in=panels().participations_of(user).values("pk"))
        return self.none()


class Participation(models.Model):
    """A region taking part in a cycle, on a track."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="participations", verbose_name=_("siklus")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="participations", verbose_name=_("daerah")
    )
    track = models.CharField(_("jalur"), max_length=16, choices=Track.choices, blank=True)
    self_assessment = models.CharField(
        _("penilaian mandiri"), max_length=16, choices=FillingRecord.choices, default=FillingRecord.UNKNOWN
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.NOT_STARTED)
    attendance = models.CharField(max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN)
    addressee_no = models.PositiveSmallIntegerField(_("nomor penerima surat"), null=True, blank=True)
    addressee = models.CharField(
        _("penerima surat"), max_length=150, blank=True, help_text="As printed in the letter."
    )

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("keikutsertaan")
        verbose_name_plural = _("keikutsertaan")
        ordering = ["cycle", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "region"], name="one_participation_per_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.cycle.year}"
