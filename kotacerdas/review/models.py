from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Assessor(models.Model):
    """An academic or practitioner who scores regions; linked to a user account when they log in."""

    name = models.CharField(_("nama"), max_length=200)
    institution = models.CharField(_("institusi"), max_length=200, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assessor",
        verbose_name=_("pengguna"),
    )

    class Meta:
        verbose_name = _("asesor")
        verbose_name_plural = _("asesor")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "institution"], name="assessor_name_institution_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.institution}" if self.institution else self.name


class Assignment(models.Model):
    """An assessor on one region's review panel in one cycle."""

    participation = models.ForeignKey(
        "cycles.Participation",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("keikutsertaan"),
    )
    assessor = models.ForeignKey(
        Assessor, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("asesor")
    )
    position = models.PositiveSmallIntegerField(
        _("posisi"), default=0, help_text="Order on the panel (Asesor 1, 2, …)."
    )
    submitted_at = models.DateTimeField(
        _("dikirim pada"),
        null=True,
        blank=True,
        help_text="When the assessor submitted the review; only then do the scores count.",
    )

    class Meta:
        verbose_name = _("penugasan")
        verbose_name_plural = _("penugasan")
        ordering = ["participation", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "assessor"], name="one_assignment_per_assessor"),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} @ {self.participation}"


class AssessorScore(models.Model):
    """One assessor's independent score of one question; empty when the assessor gave none."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("penugasan")
    )
    question = models.ForeignKey(
        "instrument.Question",
        on_delete=models.PROTECT,
        related_name="assessor_scores",
        verbose_name=_("pertanyaan"),
    )
    score = models.PositiveSmallIntegerField(_("skor"), null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("skor asesor")
        verbose_name_plural = _("skor asesor")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "question"], name="one_score_per_assignment_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id}/{self.question_id}: {self.score}"


class AgreedScore(models.Model):
    """A question score the panel agreed on (or the published score of a question); it stands (rule 1)."""

    participation = models.ForeignKey(
        "cycles.Participation",
        on_delete=models.CASCADE,
        related_name="agreed_scores",
        verbose_name=_("keikutsertaan"),
    )
    question = models.ForeignKey(
        "instrument.Question",
        on_delete=models.PROTECT,
        related_name="agreed_scores",
        verbose_name=_("pertanyaan"),
    )
    score = models.DecimalField(_("skor"), max_digits=4, decimal_places=2)
    reason = models.TextField(_("alasan"), blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("disepakati oleh"),
    )
    agreed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("skor kesepakatan")
        verbose_name_plural = _("skor kesepakatan")
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "question"], name="one_agreed_score_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation} Q{self.question_id}: {self.score}"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", _("Kekuatan")
    WEAKNESS = "weakness", _("Kelemahan")
    RECOMMENDATION = "recommendation", _("Rekomendasi")


class Finding(models.Model):
    """One item of an assessor's strengths, weaknesses or recommendations for a region."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=16, choices=FindingKind.choices)
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        verbose_name = _("temuan")
        verbose_name_plural = _("temuan")
        ordering = ["assignment", "kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "kind", "position"], name="finding_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ConflictOfInterest(models.Model):
    """An assessor's declared conflict with a region: no assignment to it is accepted."""

    assessor = models.ForeignKey(
        Assessor, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("asesor")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("daerah")
    )
    reason = models.CharField(_("alasan"), max_length=300)
    declared_at = models.DateTimeField(_("dinyatakan pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("konflik kepentingan")
        verbose_name_plural = _("konflik kepentingan")
        constraints = [
            models.UniqueConstraint(fields=["assessor", "region"], name="one_conflict_per_assessor_region"),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} ≠ {self.region}"


class ReplyStatus(models.TextChoices):
    OPEN = "open", _("Menunggu jawaban")
    ANSWERED = "answered", _("Dijawab")


class Reply(models.Model):
    """The region's right of reply on one question's draft score, and the panel's answer."""

    participation = models.ForeignKey(
        "cycles.Participation",
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("keikutsertaan"),
    )
    question = models.ForeignKey(
        "instrument.Question", on_delete=models.PROTECT, related_name="replies", verbose_name=_("pertanyaan")
    )
    argument = models.TextField()
    evidence = models.ForeignKey(
        "selfassessment.Evidence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    score_at_reply = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.OPEN
    )
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_at = models.DateTimeField(_("dijawab pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("sanggahan")
        verbose_name_plural = _("sanggahan")
        ordering = ["participation", "question__number"]
        constraints = [
            models.UniqueConstraint(fields=["participation", "question"], name="one_reply_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.participation} Q{self.question_id}"


class InterviewSession(models.Model):
    """A region's evaluation interview with its panel (the region's assignments): one per participation, on a
    working day of the cycle's interview window. Built by ``schedule_interviews``; once confirmed it is kept
    as it is by every later run, and its invitations go out."""

    participation = models.OneToOneField(
        "cycles.Participation", on_delete=models.CASCADE, related_name="interview"
    )
    day = models.DateField()
    slot = models.PositiveSmallIntegerField(help_text="The day's slot (0 = the first).")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Unguessable: the meeting room's name and the invitations' UID.
    room = models.CharField(max_length=64, unique=True)
    meeting_url = models.URLField(max_length=500)
    # iCalendar SEQUENCE: raised when the time changes, so calendars replace the earlier invitation.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The sequence the invitations were last sent for (None: never), and to whom: a later panel member is
    # invited on the next sending, everyone again when the time has changed.
    invited_sequence = models.PositiveIntegerField(null=True, blank=True)
    invited_emails = models.JSONField(default=list, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sesi wawancara")
        verbose_name_plural = _("sesi wawancara")
        ordering = ["starts_at", "participation__region__code"]

    def __str__(self) -> str:
        return f"{self.participation} {self.day} #{self.slot + 1}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class Unavailability(models.Model):
    """A day an assessor or a region cannot be interviewed (leave, a regional event), with the reason."""

    assessor = models.ForeignKey(
        Assessor, null=True, blank=True, on_delete=models.CASCADE, related_name="unavailable_days"
    )
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    reason = models.CharField(max_length=300)
    declared_at = models.DateTimeField(auto_now_add=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("hari berhalangan")
        verbose_name_plural = _("hari berhalangan")
        ordering = ["day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assessor__isnull=False, region__isnull=True)
                | models.Q(assessor__isnull=True, region__isnull=False),
                name="unavailability_of_assessor_or_region",
            ),
            models.UniqueConstraint(
                fields=["assessor", "day"],
                condition=models.Q(assessor__isnull=False),
                name="one_unavailability_per_assessor_day",
            ),
            models.UniqueConstraint(
                fields=["region", "day"],
                condition=models.Q(region__isnull=False),
                name="one_unavailability_per_region_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor or self.region} {self.day}"
