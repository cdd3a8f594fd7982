from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """An append-only record of a write that matters: who, when, what, old value, new value, why."""

    at = models.DateTimeField(_("waktu"), auto_now_add=True, db_index=True)
    # PROTECT: the table is append-only (on PostgreSQL a trigger refuses every UPDATE), so a person who
    # acted is never deleted but deactivated or erased in place (accounts.services), and keeps this link.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("akun pelaku"),
    )
    actor_label = models.CharField(
        _("pelaku"), max_length=200, blank=True, help_text="e.g. 'cli' for commands."
    )
    action = models.CharField(_("tindakan"), max_length=60, db_index=True)
    object_type = models.CharField(_("jenis objek"), max_length=60, blank=True)
    object_id = models.CharField(_("id objek"), max_length=100, blank=True)
    old = models.JSONField(_("sebelum"), null=True, blank=True)
    new = models.JSONField(_("sesudah"), null=True, blank=True)
    reason = models.TextField(_("alasan"), blank=True)
    # Where the event belongs, so that a question's or a region's whole history is one query.
    cycle_year = models.PositiveSmallIntegerField(_("tahun siklus"), null=True, blank=True)
    region_code = models.CharField(_("kode daerah"), max_length=5, blank=True)
    question_number = models.PositiveSmallIntegerField(_("nomor pertanyaan"), null=True, blank=True)

    class Meta:
        verbose_name = _("peristiwa audit")
        verbose_name_plural = _("peristiwa audit")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["cycle_year", "region_code", "question_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Audit events are append-only")
