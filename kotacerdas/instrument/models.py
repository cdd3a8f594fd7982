from django.db import models
from django.utils.translation import gettext_lazy as _

from kotacerdas.cycles.models import Cycle, Track


class Instrument(models.Model):
    """The questionnaire of one cycle. Frozen once the cycle has been opened to the regions."""

    cycle = models.OneToOneField(
        Cycle, on_delete=models.CASCADE, related_name="instrument", verbose_name=_("siklus")
    )
    version = models.CharField(_("versi"), max_length=30)
    scale_min = models.PositiveSmallIntegerField(_("skala terendah"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("skala tertinggi"), default=4)
    source_sha256 = models.CharField(max_length=64, blank=True)
    loaded_at = models.DateTimeField(_("dimuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("instrumen")
        verbose_name_plural = _("instrumen")

    def __str__(self) -> str:
        return f"Instrumen {self.cycle.year} ({self.version})"

    @property
    def content_hash(self) -> str:
        """SHA-256 (hex) of the canonical serialisation of the instrument's content: scale, weights,
        dimensions, indicators, questions with their texts, level descriptions and ``previous`` links.

        Computed from the stored rows on every access (a few queries), so it is never stale; the version,
        the year and database ids are not part of it. Equal instruments have equal hashes, whether loaded
        from a file, copied or edited in the admin (``kotacerdas.instrument.content``)."""
        from kotacerdas.instrument.content import content_digest, instrument_content

        return content_digest(instrument_content(self))

    @property
    def is_frozen(self) -> bool:
        """Frozen once the cycle is opened to the regions (by the admin's invitation step, or for a cycle
        loaded as history by its invitation), never by the clock: from then on operators answer these
        questions."""
        return self.cycle.is_open


class DimensionKind(models.TextChoices):
    ASSESSED = "assessed", _("Dinilai asesor")
    SURVEY = "survey", _("Survei warga")
    COLLABORATION = "collaboration", _("Program kolaborasi")


class Dimension(models.Model):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("instrumen")
    )
    code = models.SlugField(_("kode"), max_length=30)
    name = models.CharField(_("nama"), max_length=100)
    name_id = models.CharField(max_length=200, blank=True)
    kind = models.CharField(_("jenis"), max_length=16, choices=DimensionKind.choices)
    order = models.PositiveSmallIntegerField(_("urutan"))
    description = models.TextField(blank=True)
    elements = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("dimensi")
        verbose_name_plural = _("dimensi")
        ordering = ["instrument", "order"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="dimension_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class TrackWeight(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="weights")
    track = models.CharField(max_length=16, choices=Track.choices)
    weight = models.DecimalField(max_digits=5, decimal_places=4)

    class Meta:
        verbose_name = _("bobot jalur")
        verbose_name_plural = _("bobot jalur")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "track"], name="one_weight_per_track"),
            models.CheckConstraint(condition=models.Q(weight__gt=0, weight__lte=1), name="weight_in_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension.code} {self.track} {self.weight}"


class Indicator(models.Model):
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("dimensi")
    )
    name = models.CharField(_("nama"), max_length=200)
    order = models.PositiveSmallIntegerField(_("urutan"))
    smart_dimension = models.CharField(_("dimensi smart"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        ordering = ["dimension", "order"]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """A question, identified by (cycle's instrument, number)."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="questions", verbose_name=_("instrumen")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="questions", verbose_name=_("dimensi")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="questions", verbose_name=_("indikator")
    )
    number = models.PositiveSmallIntegerField(_("nomor"))
    sub_indicator = models.CharField(max_length=300)
    text = models.TextField()
    smart_dimension = models.CharField(_("dimensi smart"), max_length=30, blank=True)
    sub_dimension = models.CharField(max_length=300, blank=True)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=4)
    # {"1": "…", "2": "…", …}: what each level of the scale means for this question (the rubric), or {}.
    levels = models.JSONField(
        _("deskripsi level"),
        default=dict,
        blank=True,
        help_text=_("Rubrik: arti setiap level skala untuk pertanyaan ini (kosong: tanpa rubrik)."),
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_versions",
        verbose_name=_("pertanyaan siklus sebelumnya"),
        help_text=_(
            "Pertanyaan yang sama pada instrumen siklus sebelumnya, untuk perbandingan; "
            "kosong bila pertanyaan ini baru atau berubah sehingga tidak sebanding."
        ),
    )

    class Meta:
        verbose_name = _("pertanyaan")
        verbose_name_plural = _("pertanyaan")
        ordering = ["instrument", "number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="question_number_unique"),
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")), name="scale_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:60]}"

    @property
    def rubric(self) -> list[tuple[int, str]]:
        """Every level of the question's scale with its description ("" where the instrument gives none),
        in order: what the self-assessment and scoring pages show next to the choices."""
        return [
            (level, str(self.levels.get(str(level), "")))
            for level in range(self.scale_min, self.scale_max + 1)
        ]
