from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedScore(models.Model):
    """A dimension score as an earlier system published it (imported); raw inputs take precedence."""

    participation = models.ForeignKey(
        "cycles.Participation", on_delete=models.CASCADE, related_name="published_scores"
    )
    dimension = models.ForeignKey("instrument.Dimension", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=4, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participation", "dimension"], name="one_published_score"),
        ]

    def __str__(self) -> str:
        return f"{self.participation} {self.dimension.code}: {self.score}"


class Provenance(models.TextChoices):
    COMPUTED = "computed", _("Dihitung")
    IMPORTED = "imported", _("Diimpor")
    DERIVED = "derived", _("Diturunkan dari peningkatan yang dipublikasikan")


class HistoricalFinal(models.Model):
    """A region's final index of a year the platform did not compute (the base of improvement)."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="historical_finals")
    year = models.PositiveSmallIntegerField()
    final = models.DecimalField(max_digits=4, decimal_places=2)
    provenance = models.CharField(max_length=10, choices=Provenance.choices)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="one_historical_final_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.final}"


class ResultSetStatus(models.TextChoices):
    LIVE = "live", _("Berjalan (belum dipublikasikan)")
    PUBLISHED = "published", _("Dipublikasikan")


class ResultSet(models.Model):
    """The results of a cycle. Revision 0 is live: recomputed whenever inputs change. Each publication
    freezes a copy as revision 1, 2, …: published numbers never change; a later recomputation that is
    published becomes a new, visible revision."""

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="result_sets")
    revision = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=ResultSetStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["cycle", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "revision"], name="result_set_revision_unique"),
            models.UniqueConstraint(
                fields=["cycle"], condition=models.Q(status="live"), name="one_live_result_set"
            ),
            models.CheckConstraint(
                condition=models.Q(status="live", revision=0)
                | (models.Q(status="published") & models.Q(revision__gt=0)),
                name="live_is_revision_zero",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle.year} r{self.revision} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status == ResultSetStatus.LIVE


class RegionResult(models.Model):
    """A region's computed result within a result set.

    ``dimensions`` holds, per dimension code, the engine's output as strings (exact decimals):
    ``{"baseline": {"score": "3.56", "source": "raw", "weight": "0.10",
    "questions": [{"number": 1, "score": "4.00", "source": "agreed", "count": 0}, …]}, …}``.
    """

    result_set = models.ForeignKey(ResultSet, on_delete=models.CASCADE, related_name="region_results")
    participation = models.ForeignKey("cycles.Participation", on_delete=models.CASCADE, related_name="+")
    track = models.CharField(max_length=16)
    final = models.DecimalField(max_digits=4, decimal_places=2)
    improvement = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    previous_final = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField()
    rank_track = models.PositiveIntegerField(null=True, blank=True, help_text="The rank within the track.")
    # The rank's uncertainty (``kotacerdas robustness``): the median and the 5th and 95th percentile of the
    # national rank over a Monte Carlo of weights, survey respondents and panel. Empty until it has run.
    rank_median = models.PositiveIntegerField(_("median peringkat"), null=True, blank=True)
    rank_low = models.PositiveIntegerField(_("peringkat P5"), null=True, blank=True)
    rank_high = models.PositiveIntegerField(_("peringkat P95"), null=True, blank=True)
    # Like-for-like improvement (scoring rule 8) and how it was made: per dimension the two means, and the
    # current questions without a counterpart in the previous cycle. Empty when it cannot be computed.
    improvement_comparable = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    comparison = models.JSONField(default=dict, blank=True)
    dimensions = models.JSONField()
    missing_questions = models.JSONField(default=list)
    # A published row keeps the inputs it was computed from, as the public may see them (per question each
    # submitted assessor's score and the survey's answer distribution; each assessor's findings), frozen at
    # publication: public pages read these, never the live review or survey tables. Empty on live rows.
    inputs = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["result_set", "rank", "participation__region__code"]
        constraints = [
            models.UniqueConstraint(fields=["result_set", "participation"], name="one_result_per_region"),
        ]

    def __str__(self) -> str:
        return f"{self.participation}: {self.final}"

    def dimension_score(self, code: str) -> str | None:
        entry = self.dimensions.get(code)
        return entry["score"] if entry else None


class RobustnessRun(models.Model):
    """One run of the rank robustness analysis over a published revision (``kotacerdas robustness``).

    The per-region intervals are stored on the revision's ``RegionResult`` rows; this keeps how they were
    made. ``sensitivity`` maps each dimension code to the first-order sensitivity index of the ranks to its
    weight (a share of the rank variance, 0–1); ``parameters`` holds the perturbation parameters (the
    Dirichlet concentration, which inputs were resampled and how many regions each way)."""

    result_set = models.ForeignKey(
        ResultSet, on_delete=models.CASCADE, related_name="robustness_runs", verbose_name=_("revisi hasil")
    )
    draws = models.PositiveIntegerField(_("jumlah undian"))
    seed = models.BigIntegerField(_("benih acak"))
    ran_at = models.DateTimeField(_("dijalankan pada"))
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dijalankan oleh"),
    )
    sensitivity = models.JSONField(_("indeks sensitivitas"), default=dict)
    parameters = models.JSONField(_("parameter"), default=dict)

    class Meta:
        ordering = ["result_set", "-ran_at"]
        get_latest_by = "ran_at"
        verbose_name = _("analisis ketahanan peringkat")
        verbose_name_plural = _("analisis ketahanan peringkat")

    def __str__(self) -> str:
        return f"{self.result_set} robustness {self.draws} draws, seed {self.seed}"
