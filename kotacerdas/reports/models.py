from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportContent(models.Model):
    """The prose of a cycle's reports and letter, editable by admins.

    Paragraphs are separated by a blank line; list fields hold one item per line. Numbers, dates, weights
    and names are not written here: the reports take them from the cycle, its instrument and its results.
    """

    cycle = models.OneToOneField("cycles.Cycle", on_delete=models.CASCADE, related_name="report_content")
    programme_period = models.CharField(
        _("periode program"), max_length=50, blank=True, help_text=_("Mis. 2017–2022.")
    )
    overview = models.TextField(_("gambaran umum"), help_text=_("Paragraf dipisahkan baris kosong."))
    objectives_intro = models.TextField(_("pengantar tujuan"), blank=True)
    objectives = models.TextField(_("tujuan"), help_text=_("Satu tujuan per baris."))
    scope = models.TextField(_("ruang lingkup"))
    scope_collaboration = models.TextField(
        _("ruang lingkup jalur KPPN IKN"), blank=True, help_text=_("Tambahan untuk daerah jalur KPPN IKN.")
    )
    method = models.TextField(_("metodologi"), help_text=_("Paragraf dipisahkan baris kosong."))
    method_aspects_intro = models.TextField(_("pengantar aspek yang ditinjau"), blank=True)
    method_aspects = models.TextField(_("aspek yang ditinjau"), blank=True, help_text=_("Satu per baris."))
    dimension_notes = models.JSONField(
        _("uraian dimensi dalam surat"),
        default=dict,
        blank=True,
        help_text=_('Kode dimensi → uraian singkat, mis. {"baseline": "…"}.'),
    )
    indices = models.TextField(
        _("uraian indeks"),
        blank=True,
        help_text=_("Satu per baris: indeks pencapaian, lalu indeks peningkatan."),
    )
    findings_note = models.TextField(_("catatan asesor dalam surat"), blank=True)
    letter_closing = models.TextField(_("penutup surat"), blank=True)
    signatory_name = models.CharField(
        _("nama penanda tangan"),
        max_length=200,
        blank=True,
        help_text=_("Dicetak di bawah tanda tangan surat; kosong: hanya jabatan penanda tangan."),
    )
    signatory_title = models.CharField(
        _("keterangan penanda tangan"),
        max_length=200,
        blank=True,
        help_text=_("Dicetak di bawah nama, mis. pangkat dan NIP."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("isi laporan")
        verbose_name_plural = _("isi laporan")

    def __str__(self) -> str:
        return f"Isi laporan {self.cycle.year}"


class ReportKind(models.TextChoices):
    REGION = "region", _("Laporan daerah")
    LETTER = "letter", _("Surat hasil evaluasi")


class ReportVersion(models.Model):
    """One signed document as issued: immutable, identified by its verification code and its SHA-256.

    Regenerating a report creates a new version; an issued version is never changed or deleted.
    """

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="report_versions")
    participation = models.ForeignKey(
        "cycles.Participation", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(max_length=10, choices=ReportKind.choices)
    version = models.PositiveIntegerField()
    result_set = models.ForeignKey("results.ResultSet", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("kode verifikasi"), max_length=32, unique=True)
    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(max_length=200)
    size = models.PositiveIntegerField()
    pages = models.PositiveSmallIntegerField()
    signer_subject = models.CharField(max_length=300)
    signer_fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the signer's certificate")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        "ReportBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )

    class Meta:
        ordering = ["cycle", "kind", "participation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "kind", "version"],
                condition=models.Q(participation__isnull=False),
                name="report_version_unique",
            ),
            models.UniqueConstraint(
                fields=["cycle", "kind", "version"],
                condition=models.Q(participation__isnull=True),
                name="letter_version_unique",
            ),
        ]

    def __str__(self) -> str:
        subject = self.participation.region.table_name if self.participation else _("surat")
        return f"{self.cycle.year} {subject} v{self.version} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("An issued report version is immutable; generate a new version instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("An issued report version is immutable and is never deleted")


class ReportBatch(models.Model):
    """A run that generates every participating region's report of a cycle, one background task per region.

    Its items record what is done, so that a run stopped halfway resumes without redoing finished reports.
    """

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.PROTECT, related_name="report_batches")
    result_set = models.ForeignKey("results.ResultSet", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    abandoned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pembuatan laporan massal")
        verbose_name_plural = _("pembuatan laporan massal")

    def __str__(self) -> str:
        return f"{self.cycle.year} #{self.pk}"


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Menunggu")
    RUNNING = "running", _("Diproses")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class ReportBatchItem(models.Model):
    batch = models.ForeignKey(ReportBatch, on_delete=models.CASCADE, related_name="items")
    participation = models.ForeignKey("cycles.Participation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    report = models.OneToOneField(
        ReportVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="batch_item"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["batch", "participation__region__code"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "participation"], name="one_item_per_region"),
        ]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self) -> str:
        return f"{self.batch} {self.participation_id} {self.status}"
