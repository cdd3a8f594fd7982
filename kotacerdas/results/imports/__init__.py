"""File imports of a cycle's inputs, one import per table's owner (CONTRACT.md). Each is all-or-nothing and
idempotent. The published results live here; review's and survey's imports live in their own apps
(``review/imports.py``, ``survey/imports.py``) and are re-exported for the commands."""

from kotacerdas.core.tables import ImportRejected, Problem
from kotacerdas.results.imports.published import import_results
from kotacerdas.review.imports import import_assessor_scores, import_question_scores
from kotacerdas.survey.imports import import_survey

__all__ = [
    "ImportRejected",
    "Problem",
    "import_assessor_scores",
    "import_question_scores",
    "import_results",
    "import_survey",
]
