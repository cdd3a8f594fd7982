"""Writes of the review app's tables, one module per concern: ``panels`` (profiles, conflicts of interest,
assignments), ``scoring`` (an assessor's review, agreed scores, replies), ``bulk`` (imports) and
``interviews`` (the schedule). Import from here: ``from kotacerdas.review.services import record_score``."""

from kotacerdas.review.services.bulk import (
    AgreedScoreRow,
    ImportedScoreRow,
    StoredCounts,
    imported_assessor,
    store_agreed_scores,
    store_imported_findings,
    store_imported_scores,
)
from kotacerdas.review.services.interviews import (
    InterviewScheduleError,
    ScheduleOptions,
    ScheduleOutcome,
    confirm_interviews,
    declare_unavailability,
    schedule_interviews,
    send_interview_invitations,
    unconfirm_interview,
    withdraw_unavailability,
)
from kotacerdas.review.services.panels import (
    ConflictOfInterestError,
    assign_assessor,
    conflict_of_interest,
    declare_conflict,
    ensure_assessor_profile,
)
from kotacerdas.review.services.scoring import (
    IncompleteReview,
    InvalidScore,
    contest_score,
    record_agreed_score,
    record_findings,
    record_score,
    respond_to_reply,
    submit_review,
)

__all__ = [
    "AgreedScoreRow",
    "ConflictOfInterestError",
    "ImportedScoreRow",
    "IncompleteReview",
    "InterviewScheduleError",
    "InvalidScore",
    "ScheduleOptions",
    "ScheduleOutcome",
    "StoredCounts",
    "assign_assessor",
    "confirm_interviews",
    "conflict_of_interest",
    "contest_score",
    "declare_conflict",
    "declare_unavailability",
    "ensure_assessor_profile",
    "imported_assessor",
    "record_agreed_score",
    "record_findings",
    "record_score",
    "respond_to_reply",
    "schedule_interviews",
    "send_interview_invitations",
    "store_agreed_scores",
    "store_imported_findings",
    "store_imported_scores",
    "submit_review",
    "unconfirm_interview",
    "withdraw_unavailability",
]
