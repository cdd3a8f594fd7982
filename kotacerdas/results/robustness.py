"""Rank robustness of a published revision: gather the engine's inputs, run ``scoring.analyse_ranks``, store.

What each region contributes (docs/methodology.md, "Rank robustness"):

- its published dimension scores and track (every region: the weights are perturbed for all);
- its panel, when the revision froze raw assessor scores (``RegionResult.inputs``): for each assessor in
  turn, the assessed dimensions rescored by the engine without that assessor's scores (an agreed question
  score stands). A panel of one cannot leave anyone out and is not perturbed;
- its citizen survey, when raw responses exist: the included responses' answers per smart dimension, to be
  resampled. Survey responses are not frozen at publication, so they are used only when they still give the
  published Impact score exactly; otherwise the region's survey is left unperturbed and counted.

A region whose dimension scores were imported (published) varies by the weights alone.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from kotacerdas.accounts.models import User
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument.models import DimensionKind, Question
from kotacerdas.instrument.services import track_weights
from kotacerdas.results.models import RegionResult, ResultSet, RobustnessRun
from kotacerdas.results.services import NothingPublished, latest_published, record_rank_robustness
from kotacerdas.scoring import (
    DEFAULT_CONCENTRATION,
    DimensionInput,
    QuestionInput,
    RobustnessRegion,
    RobustnessResult,
    SurveyDimension,
    analyse_ranks,
    score_dimension,
    survey_score,
)
from kotacerdas.survey.models import SurveyAnswer


@dataclass
class Gathered:
    regions: list[RobustnessRegion]
    weights: dict[str, dict[str, Decimal]]
    names: dict[str, str] = field(default_factory=dict)  # region code → name as in the national table
    # Regions whose survey or panel could not be used, with the reason (printed and stored with the run).
    notes: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def gather_inputs(result_set: ResultSet) -> Gathered:
    """The analysis inputs of every region of the published revision ``result_set``."""
    cycle = result_set.cycle
    instrument = cycle.instrument
    weights = track_weights(instrument)
    rows = list(
        RegionResult.objects.filter(result_set=result_set)
        .select_related("participation__region")
        .order_by("rank", "participation__region__code")
    )
    surveyed = dict(
        Question.objects.filter(instrument=instrument, dimension__kind=DimensionKind.SURVEY).values_list(
            "number", "smart_dimension"
        )
    )
    answers = _survey_answers([row.participation_id for row in rows], surveyed)
    gathered = Gathered(regions=[], weights=weights)
    for row in rows:
        code = row.participation.region.code
        gathered.names[code] = row.participation.region.table_name
        scores = {
            dimension: None if entry.get("score") is None else Decimal(entry["score"])
            for dimension, entry in row.dimensions.items()
        }
        panel = _panel_variants(row, weights.get(row.track, {}), gathered.notes[code])
        survey = _survey(row, surveyed, answers.get(row.participation_id, {}), gathered.notes[code])
        gathered.regions.append(RobustnessRegion(code, row.track, scores, panel, survey))
    gathered.notes = {code: notes for code, notes in gathered.notes.items() if notes}
    return gathered


def _panel_variants(
    row: RegionResult, weights: dict[str, Decimal], notes: list[str]
) -> tuple[dict[str, Decimal | None], ...]:
    """The assessed dimensions' scores with each assessor of the frozen panel left out in turn."""
    by_question: dict[str, list[dict[str, Any]]] = row.inputs.get("assessor_scores", {}) if row.inputs else {}
    if not by_question:
        return ()
    assessors = sorted(
        {
            (s["assessor"], s["institution"])
            for scores in by_question.values()
            for s in scores
            if s["score"] is not None
        }
    )
    if len(assessors) < 2:
        return ()  # leaving out the only assessor would leave nothing
    dimensions = {
        code: entry
        for code, entry in row.dimensions.items()
        if entry.get("source") == "raw"
        and any(str(q["number"]) in by_question for q in entry.get("questions", []))
    }

    def rescore(left_out: tuple[str, str] | None) -> dict[str, Decimal | None]:
        out: dict[str, Decimal | None] = {}
        for code, entry in dimensions.items():
            questions = []
            for q in entry["questions"]:
                if q["source"] == "agreed":
                    questions.append(QuestionInput(q["number"], agreed=Decimal(q["score"])))
                    continue
                values = [
                    int(s["score"])
                    for s in by_question.get(str(q["number"]), [])
                    if s["score"] is not None and (s["assessor"], s["institution"]) != left_out
                ]
                questions.append(QuestionInput.from_values(q["number"], values))
            dimension = DimensionInput(code, tuple(questions))
            out[code] = score_dimension(dimension, weights.get(code, Decimal(0))).score
        return out

    everyone = rescore(None)
    if any(Decimal(dimensions[code]["score"]) != score for code, score in everyone.items()):
        notes.append("panel: the frozen assessor scores do not give the published scores; not perturbed")
        return ()
    return tuple(rescore(assessor) for assessor in assessors)


def _survey_answers(
    participation_ids: list[int], surveyed: dict[int, str]
) -> dict[int, dict[str, dict[int, dict[int, int]]]]:
    """Participation id → smart dimension → response id → question number → answer (included responses)."""
    out: dict[int, dict[str, dict[int, dict[int, int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(dict))
    )
    for pid, smart, response, number, score in SurveyAnswer.objects.filter(
        response__participation_id__in=participation_ids, response__included=True
    ).values_list(
        "response__participation_id", "response__smart_dimension", "response_id", "question__number", "score"
    ):
        if number in surveyed:
            out[pid][smart][response][number] = score
    return out


def _survey(
    row: RegionResult,
    surveyed: dict[int, str],
    answers: dict[str, dict[int, dict[int, int]]],
    notes: list[str],
) -> SurveyDimension | None:
    """The survey behind the region's survey dimension, as respondents × questions per smart dimension."""
    if not answers:
        return None
    numbers = set(surveyed)
    for code, entry in row.dimensions.items():
        questions = entry.get("questions", [])
        if entry.get("source") != "raw" or not {q["number"] for q in questions} & numbers:
            continue
        agreed = {q["number"] for q in questions if q["source"] == "agreed"}
        fixed = [
            Decimal(q["score"]) for q in questions if q["number"] in agreed or q["number"] not in numbers
        ]
        columns: dict[str, list[int]] = defaultdict(list)
        for q in questions:
            if q["number"] in numbers and q["number"] not in agreed:
                columns[surveyed[q["number"]]].append(q["number"])
        groups, unanswered = [], []
        for smart, numbers_of_group in sorted(columns.items()):
            responses = answers.get(smart, {})
            if not responses:
                unanswered += [Decimal(0)] * len(numbers_of_group)  # no respondent: each scores 0 (rule 2)
                continue
            groups.append(
                np.array(
                    [[given.get(n, 0) for n in numbers_of_group] for _, given in sorted(responses.items())],
                    dtype=np.int64,
                )
            )
        if not groups:
            return None
        survey = SurveyDimension(code, tuple(groups), tuple(fixed + unanswered))
        if survey_score(survey) != Decimal(entry["score"]):
            notes.append("survey: the responses no longer give the published Impact score; not perturbed")
            return None
        return survey
    return None


def run_robustness(
    cycle: Cycle,
    *,
    actor: User | SystemActor,
    draws: int,
    seed: int,
    concentration: float = DEFAULT_CONCENTRATION,
) -> tuple[RobustnessRun, RobustnessResult, Gathered]:
    """Analyse the latest published revision of ``cycle``; store the result (``record_rank_robustness``)."""
    published = latest_published(cycle)
    if published is None:
        raise NothingPublished(f"{cycle.year} has no published results to analyse")
    gathered = gather_inputs(published)
    outcome = analyse_ranks(
        gathered.regions, gathered.weights, draws=draws, seed=seed, concentration=concentration
    )
    parameters: dict[str, object] = {
        "concentration": concentration,
        "survey_replicates": outcome.survey_replicates,
        "regions": len(gathered.regions),
        "survey_regions": outcome.survey_regions,
        "panel_regions": outcome.panel_regions,
        "percentiles": [5, 50, 95],
        "notes": gathered.notes,
    }
    run = record_rank_robustness(published, outcome, actor=actor, parameters=parameters)
    return run, outcome, gathered
