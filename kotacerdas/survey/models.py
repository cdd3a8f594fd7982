from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The programme's sample: 50 users of one programme per smart dimension (seed, method; questions 50–103).
QUOTA = 50


class SmartDimension(models.TextChoices):
    GOVERNANCE = "smart_governance", "Smart Governance"
    BRANDING = "smart_branding", "Smart Branding"
    ECONOMY = "smart_economy", "Smart Economy"
    LIVING = "smart_living", "Smart Living"
    SOCIETY = "smart_society", "Smart Society"
    ENVIRONMENT = "smart_environment", "Smart Environment"


class Channel(models.TextChoices):
    ONLINE = "online", _("Formulir daring")
    IMPORT = "import", _("Impor berkas")
    PAPER = "paper", _("Kuesioner kertas")


class Review(models.TextChoices):
    """Whether a response feeds the engine, and who decided it."""

    AUTO = "auto", _("Diterima otomatis")
    PENDING = "pending", _("Menunggu tinjauan")
    INCLUDED = "included", _("Disertakan admin")
    EXCLUDED = "excluded", _("Dikecualikan admin")


class SurveyLink(models.Model):
    """The public link through which users of one programme of a region answer one smart dimension.

    The token is the only credential a respondent needs; the URL carries it with a signature
    (``kotacerdas.survey.tokens``), so a guessed or mistyped address is refused before the database is read.
    """

    participation = models.ForeignKey(
        "cycles.Participation",
        on_delete=models.CASCADE,
        related_name="survey_links",
        verbose_name=_("keikutsertaan"),
    )
    smart_dimension = models.CharField(_("dimensi smart"), max_length=30, choices=SmartDimension.choices)
    token = models.CharField(max_length=32, unique=True)
    programme = models.CharField(
        _("program atau layanan"),
        max_length=200,
        blank=True,
        help_text=_("Program yang penggunanya mengisi survei ini."),
    )
    quota = models.PositiveSmallIntegerField(_("kuota"), default=QUOTA)
    # Online responses admitted within the quota; moved by one UPDATE under the link's row lock, so two
    # concurrent submissions cannot both take the last place.
    quota_used = models.PositiveIntegerField(_("kuota terpakai"), default=0)
    # Bumped by every change of the link's included responses; see LinkRecompute.
    changes = models.PositiveIntegerField(default=0)
    closes_at = models.DateTimeField(_("ditutup otomatis pada"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup pada"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tautan survei")
        verbose_name_plural = _("tautan survei")
        ordering = ["participation", "smart_dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "smart_dimension"], name="one_link_per_dimension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation} {self.get_smart_dimension_display()}"

    def is_open(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.closed_at is None and (self.closes_at is None or now < self.closes_at)  # type: ignore[operator]


class SurveyInvitation(models.Model):
    """A single-use link for one invited respondent of a survey link: it takes one response."""

    link = models.ForeignKey(
        SurveyLink, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("tautan")
    )
    token = models.CharField(max_length=32, unique=True)
    label = models.CharField(
        _("label"), max_length=100, blank=True, help_text="A number or note, never personal data."
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)

    class Meta:
        verbose_name = _("undangan survei")
        verbose_name_plural = _("undangan survei")
        ordering = ["link", "id"]

    def __str__(self) -> str:
        return self.label or self.token


class SurveyResponse(models.Model):
    """One citizen's answers to one smart dimension's questions."""

    participation = models.ForeignKey(
        "cycles.Participation",
        on_delete=models.CASCADE,
        related_name="survey_responses",
        verbose_name=_("keikutsertaan"),
    )
    smart_dimension = models.CharField(_("dimensi smart"), max_length=30, choices=SmartDimension.choices)
    # The client-made id: a database unique constraint makes a replay impossible to store twice.
    response_id = models.CharField(_("id respons"), max_length=100, unique=True)
    respondent = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(_("dikirim pada"))
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices, default=Channel.IMPORT)
    included = models.BooleanField(
        _("dihitung"), default=True, help_text="Only included responses feed the engine."
    )
    content_digest = models.CharField(max_length=64, help_text="SHA-256 of the answers, to tell a replay.")

    # Online submissions only: where and how the response came in.
    link = models.ForeignKey(
        SurveyLink, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    # One response per invitation: a second submission through a used invitation is refused by the database.
    invitation = models.OneToOneField(
        SurveyInvitation, null=True, blank=True, on_delete=models.PROTECT, related_name="response"
    )
    submission_digest = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    # The answers in question order ("443343444"): straight-lining and identical sets are read off it.
    pattern = models.CharField(max_length=40, blank=True)
    consent = models.BooleanField(default=False)
    # Keyed hashes (HMAC with the secret key): a phone number or an IP address is never stored.
    contact_hash = models.CharField(max_length=64, blank=True)
    client_hash = models.CharField(max_length=64, blank=True)

    # Quality flags (kotacerdas.survey.quality). A flagged response is kept and waits for an admin.
    flag_speeder = models.BooleanField(_("terlalu cepat"), default=False)
    flag_straight_line = models.BooleanField(_("jawaban seragam"), default=False)
    flag_same_client = models.BooleanField(_("perangkat sama"), default=False)
    flag_repeat_contact = models.BooleanField(_("kontak berulang"), default=False)
    flag_burst = models.BooleanField(_("lonjakan"), default=False)
    over_quota = models.BooleanField(_("melebihi kuota"), default=False)

    review = models.CharField(_("tinjauan"), max_length=10, choices=Review.choices, default=Review.AUTO)
    review_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("respons survei")
        verbose_name_plural = _("respons survei")
        indexes = [
            models.Index(fields=["participation", "smart_dimension"]),
            models.Index(fields=["link", "id"], name="survey_response_link_recent"),
            models.Index(fields=["link", "contact_hash"], name="survey_response_link_contact"),
            models.Index(fields=["review"], name="survey_response_review"),
        ]

    def __str__(self) -> str:
        return self.response_id

    @property
    def flags(self) -> list[str]:
        return [name for name in FLAG_FIELDS if getattr(self, f"flag_{name}")]


FLAG_FIELDS = ("speeder", "straight_line", "same_client", "repeat_contact", "burst")


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "instrument.Question", on_delete=models.PROTECT, related_name="survey_answers"
    )
    score = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("jawaban survei")
        verbose_name_plural = _("jawaban survei")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}: {self.score}"


class LinkRecompute(models.Model):
    """How many of a link's input changes (``SurveyLink.changes``) the live results already reflect.

    Submissions do not recompute the region themselves (docs/survey.md, "Recompute"): an included
    response bumps its link's ``changes`` in the same UPDATE that takes its place in the quota, and
    ``flush_pending_recomputes`` recomputes the regions of links whose ``changes`` ran ahead of this row,
    then records what it saw. This row is the flush's own, so a flush never waits for a submission's lock
    nor makes one wait; a change committed after the flush looked stays pending for the next one.
    """

    link = models.OneToOneField(SurveyLink, on_delete=models.CASCADE, related_name="recomputed")
    changes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("hitung ulang tautan")
        verbose_name_plural = _("hitung ulang tautan")

    def __str__(self) -> str:
        return f"{self.link}: {self.changes}"


class RateCounter(models.Model):
    """A fixed-window rate-limit counter (``kotacerdas.survey.ratelimit``): the hits of ``scope`` (a client
    on a link, or a link) in the window that ends at ``expires`` (seconds since the epoch). One upsert
    counts a hit and returns the count, so concurrent app servers count every hit exactly."""

    scope = models.CharField(max_length=100, unique=True)
    expires = models.BigIntegerField(db_index=True)
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("penghitung batas laju")
        verbose_name_plural = _("penghitung batas laju")

    def __str__(self) -> str:
        return f"{self.scope}: {self.hits}"
