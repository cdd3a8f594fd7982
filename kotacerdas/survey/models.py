from django.db import models
from django.utils.translation import gettext_lazy as _


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


class SurveyResponse(models.Model):
    """One citizen's answers to one smart dimension's questions."""

    participation = models.ForeignKey(
        "cycles.Participation", on_delete=models.CASCADE, related_name="survey_responses"
    )
    smart_dimension = models.CharField(max_length=30, choices=SmartDimension.choices)
    # The client-made id: a database unique constraint makes a replay impossible to store twice.
    response_id = models.CharField(max_length=100, unique=True)
    respondent = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField()
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.IMPORT)
    included = models.BooleanField(default=True, help_text="Only included responses feed the engine.")
    content_digest = models.CharField(max_length=64, help_text="SHA-256 of the answers, to tell a replay.")

    class Meta:
        indexes = [models.Index(fields=["participation", "smart_dimension"])]

    def __str__(self) -> str:
        return self.response_id


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        "instrument.Question", on_delete=models.PROTECT, related_name="survey_answers"
    )
    score = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}: {self.score}"
