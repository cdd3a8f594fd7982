import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormStatus(models.TextChoices):
    """The status of a region's self-assessment form (its answers); the evaluation's is ``Stage``."""

    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Dikirim")
    RETURNED = "returned", _("Dikembalikan")


class SelfAssessment(models.Model):
    """A region's questionnaire for a cycle as a whole: drafted, submitted (locked), perhaps returned."""

    participation = models.OneToOneField(
        "cycles.Participation", on_delete=models.CASCADE, related_name="self_assessment_form"
    )
    status = models.CharField(max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.participation} ({self.status})"


class Answer(models.Model):
    """The operator's answer to one question: a level of the scale and its justification.

    ``version`` grows with every accepted save; a save based on an older version is refused rather than
    overwriting what another tab saved (no lost update). ``last_save_id`` is the client-made id of the
    last accepted save, so a retried request is answered without saving twice.
    """

    participation = models.ForeignKey(
        "cycles.Participation", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey("instrument.Question", on_delete=models.PROTECT, related_name="answers")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    justification = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    last_save_id = models.UUIDField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "question"], name="one_answer_per_region_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation} Q{self.question_id}: {self.level}"

    @property
    def is_complete(self) -> bool:
        return self.level is not None and bool(self.justification.strip())


def evidence_path(instance: "Evidence", filename: str) -> str:
    # The stored name is made by the server (``filename`` carries the suffix of the type the bytes have);
    # the uploaded name is kept only as data.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    p = instance.participation
    return f"evidence/{p.cycle.year}/{p.region.code}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file backing an answer. Never deleted: removing it only hides it (the audit keeps the trail)."""

    participation = models.ForeignKey(
        "cycles.Participation", on_delete=models.CASCADE, related_name="evidence"
    )
    question = models.ForeignKey("instrument.Question", on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ProgrammeKind(models.TextChoices):
    MASTERPLAN = "masterplan", _("Program masterplan")
    QUICK_WIN = "quick_win", _("Quick win")


class ProgrammeStatus(models.TextChoices):
    PLANNED = "planned", _("Direncanakan")
    RUNNING = "running", _("Berjalan")
    COMPLETED = "completed", _("Selesai")
    STOPPED = "stopped", _("Dihentikan")


class Programme(models.Model):
    """A smart-city programme of the region: the evidence base of Outcome, Quick Wins and collaboration,
    and the service whose users the impact survey samples."""

    participation = models.ForeignKey(
        "cycles.Participation", on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(_("nama program"), max_length=200)
    smart_dimension = models.CharField(_("dimensi smart city"), max_length=30)
    kind = models.CharField(_("jenis"), max_length=12, choices=ProgrammeKind.choices)
    year_started = models.PositiveSmallIntegerField(_("tahun mulai"))
    status = models.CharField(_("status"), max_length=12, choices=ProgrammeStatus.choices)
    apbd_share = models.DecimalField(
        _("porsi APBD (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Persentase pendanaan dari APBD, 0–100."),
    )
    non_apbd_sources = models.CharField(_("sumber non-APBD"), max_length=300, blank=True)
    partner_regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="+", verbose_name=_("daerah mitra")
    )
    description = models.TextField(_("uraian"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participation", "smart_dimension", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(apbd_share__isnull=True)
                | models.Q(apbd_share__gte=0, apbd_share__lte=100),
                name="apbd_share_is_a_percentage",
                violation_error_message=_("Porsi APBD harus antara 0 dan 100 persen."),
            ),
            models.UniqueConstraint(
                fields=["participation", "name"],
                name="programme_name_unique_per_region",
                violation_error_message=_("Daerah ini sudah mempunyai program dengan nama yang sama."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def smart_dimension_name(self) -> str:
        """The name the programme uses: "Smart Governance" for ``smart_governance``."""
        return self.smart_dimension.replace("_", " ").title()
