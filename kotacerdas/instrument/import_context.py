"""What every import of a cycle's inputs shares: the cycle, its participants and questions, and turning the
names a file uses into rows."""

from kotacerdas.core.tables import Problem, Row
from kotacerdas.cycles.models import Cycle, Participation
from kotacerdas.instrument.models import Question
from kotacerdas.regions.naming import RegionNameError
from kotacerdas.regions.services import RegionResolver


class ImportContext:
    """Lookups for one import into one cycle, memoised (a file may have 100,000 rows)."""

    def __init__(self, cycle: Cycle):
        self.cycle = cycle
        self.resolver = RegionResolver()
        self.participations = {
            p.region_id: p
            for p in Participation.objects.filter(cycle=cycle).select_related("cycle", "region")
        }
        self.questions = {
            q.number: q for q in Question.objects.filter(instrument__cycle=cycle).select_related("dimension")
        }

    def participation(self, row: Row, problems: list[Problem]) -> Participation | None:
        """The participation the row's ``region_code``/``region`` names, or None after recording a problem."""
        code, name = row.get("region_code"), row.get("region")
        field, text = ("region_code", code) if code else ("region", name)
        if not text:
            problems.append(Problem(row.line, "region", "", "the region is empty"))
            return None
        try:
            region = self.resolver.resolve(text)
            if code and name and self.resolver.resolve(name).pk != region.pk:
                problems.append(
                    Problem(row.line, "region", name, f"names another region than region_code {code}")
                )
                return None
        except RegionNameError as exc:
            problems.append(Problem(row.line, field, text, str(exc)))
            return None
        participation = self.participations.get(region.pk)
        if participation is None:
            problems.append(
                Problem(
                    row.line,
                    field,
                    text,
                    f"{region.name} ({region.code}) does not take part in {self.cycle.year}",
                )
            )
        return participation

    def question(self, row: Row, problems: list[Problem]) -> Question | None:
        text = row.get("question")
        try:
            number = int(text)
        except ValueError:
            problems.append(Problem(row.line, "question", text, "expected the question's number"))
            return None
        question = self.questions.get(number)
        if question is None:
            problems.append(
                Problem(
                    row.line, "question", text, f"the {self.cycle.year} instrument has no question {number}"
                )
            )
        return question
