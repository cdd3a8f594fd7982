"""File imports of a cycle's inputs. Each is all-or-nothing and idempotent (CONTRACT.md)."""

from kotacerdas.results.imports._table import ImportRejected, Problem
from kotacerdas.results.imports.published import import_results
from kotacerdas.results.imports.scores import import_assessor_scores, import_question_scores
from kotacerdas.results.imports.survey import import_survey

__all__ = [
    "ImportRejected",
    "Problem",
    "import_assessor_scores",
    "import_question_scores",
    "import_results",
    "import_survey",
]
