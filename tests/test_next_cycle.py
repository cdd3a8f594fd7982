"""Running the next cycle with the command line only (issue: 2025 from 2024), numbers worked by hand.

2025 is made from the published 2024 demo, its instrument exported, edited (question 1 reworded and no
longer comparable, question 5 dropped, question 116 added), imported; Badung gets two assessors' raw
scores for Baseline and Output and one citizen's answers for Smart Governance; Kota Bandung gets
published dimension scores. Then ``results --year 2025 --live`` must give, by the rules (CONTRACT.md):

Badung (REGULER: Baseline 10 %, Output 20 %, Outcome 30 %, Impact 20 %, Quick Wins 20 %)
- Baseline: questions 1, 2, 3, 4, 116 = 3.50, 3.00, 3.50, 2.50, 1.50 → 2.80
- Output: question 6 = 2.50, questions 7–16 = 4.00 → 42.50 / 11 = 3.8636 → 3.86
- Impact: questions 50–58 = 4.00, the other 45 missing (0) → 36 / 54 → 0.67; Outcome, Quick Wins absent
- final = 0.280 + 0.772 + 0.134 = 1.186 → 1.19; improvement = 1.19 − 3.08 (published 2024) = −1.89
- like for like (rule 8), over the questions with a 2024 counterpart and Badung's 2024 question scores:
  Baseline 2, 3, 4: now 3.00, then (3 + 3.6 + 3.8) / 3 → 3.47; Output 6–16: now 3.86, then 2.73;
  Impact 50–103: now 0.67, then 3.18; Outcome and Quick Wins have no score now: not compared.
  now 0.300 + 0.772 + 0.134 → 1.21; then 0.347 + 0.546 + 0.636 → 1.53; improvement_comparable = −0.32
Kota Bandung: 0.35 + 0.72 + 1.11 + 0.76 + 0.78 = 3.72; improvement = 3.72 − 3.93 = −0.21; no 2024
question-level scores, so no like-for-like improvement.
"""

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command

from kotacerdas.cycles.models import Cycle, Stage
from kotacerdas.instrument.models import Question


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _edit_instrument(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["year"] = 2025
    baseline = next(d for d in document["dimensions"] if d["code"] == "baseline")
    for indicator in baseline["indicators"]:
        for question in indicator["questions"]:
            if question["number"] == 1:
                question["text"] = "Apakah Master Plan Smart City sudah ditetapkan dengan Peraturan Daerah?"
                question["previous"] = None
        indicator["questions"] = [q for q in indicator["questions"] if q["number"] != 5]
    baseline["indicators"][0]["questions"].append(
        {
            "number": 116,
            "sub_indicator": "Dokumen evaluasi",
            "text": "Apakah daerah menyusun evaluasi tahunan pelaksanaan Smart City?",
            "previous": None,
        }
    )
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.mark.django_db
def test_2025_from_2024_by_the_command_line(tmp_path: Path) -> None:
    said = _run("new_cycle", "--year", "2025", "--from", "2024")
    assert "191 participants" in said and "in preparation" in said
    assert _run("new_cycle", "--year", "2025", "--from", "2024").count("(0 added)") == 1  # changes nothing
    cycle = Cycle.objects.get(year=2025)
    assert (cycle.previous.year if cycle.previous else None, cycle.is_open) == (2024, False)
    assert cycle.interviews_start is not None and cycle.interviews_start.isoformat() == "2025-10-29"
    assert set(cycle.participations.values_list("stage", flat=True)) == {Stage.NOT_STARTED}

    exported = tmp_path / "2025.yaml"
    _run("export_instrument", "--year", "2025", "-o", str(exported))
    _edit_instrument(exported)
    _run("import_instrument", str(exported), "--year", "2025")
    questions = {
        q.number: q for q in Question.objects.filter(instrument__cycle=cycle).select_related("previous")
    }
    assert 5 not in questions and questions[116].previous is None and questions[1].previous is None
    assert questions[2].previous is not None and questions[2].previous.number == 2

    scores = ["region,assessor,institution,question,score,note"]
    baseline = {1: (4, 3), 2: (3, 3), 3: (4, 3), 4: (2, 3), 116: (1, 2)}
    output = {6: (2, 3), **{n: (4, 4) for n in range(7, 17)}}
    for number, (a, b) in {**baseline, **output}.items():
        scores += [
            f"KAB. BADUNG,Asesor A,Universitas Uji A,{number},{a},",
            f"KAB. BADUNG,Asesor B,Universitas Uji B,{number},{b},",
        ]
    (tmp_path / "scores.csv").write_text("\n".join(scores) + "\n", encoding="utf-8")
    _run("import_scores", str(tmp_path / "scores.csv"), "--year", "2025")

    survey = ["response_id,region,dimension,respondent,submitted_at,question,score"]
    survey += [
        f"r-2025-1,KAB. BADUNG,smart_governance,W1,2025-10-01T09:00:00+08:00,{n},4" for n in range(50, 59)
    ]
    (tmp_path / "survey.csv").write_text("\n".join(survey) + "\n", encoding="utf-8")
    _run("import_survey", str(tmp_path / "survey.csv"), "--year", "2025")

    results = (
        "region,track,baseline,output,outcome,impact,quick_wins\nKOTA BANDUNG,REGULER,3.5,3.6,3.7,3.8,3.9\n"
    )
    (tmp_path / "results.csv").write_text(results, encoding="utf-8")
    _run("import_results", str(tmp_path / "results.csv"), "--year", "2025")

    table = {
        row["region_code"]: row
        for row in csv.DictReader(io.StringIO(_run("results", "--year", "2025", "--live", "--format", "csv")))
    }
    badung, bandung = table["51.03"], table["32.73"]
    assert (badung["baseline"], badung["output"], badung["outcome"], badung["impact"]) == (
        "2.80",
        "3.86",
        "",
        "0.67",
    )
    assert (badung["final"], badung["improvement"], badung["improvement_comparable"]) == (
        "1.19",
        "-1.89",
        "-0.32",
    )
    assert (bandung["final"], bandung["improvement"], bandung["improvement_comparable"]) == (
        "3.72",
        "-0.21",
        "",
    )
    assert set(table) == {"51.03", "32.73"}

    detail = _run("results", "--year", "2025", "--live", "--format", "json", "--region", "51.03")
    assert '"not_comparable"' in detail or "not_comparable" in detail


@pytest.mark.django_db
def test_the_2025_report_shows_both_improvements(tmp_path: Path, settings: Any) -> None:
    """The region's report prints the like-for-like improvement and the questions not comparable; the new
    cycle starts with the previous cycle's report prose."""
    import subprocess

    from kotacerdas.core.actors import CLI
    from kotacerdas.cycles.models import Participation
    from kotacerdas.reports import services
    from kotacerdas.reports.demo import load_report_demo

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_DEMO_SIGNER_DIR = tmp_path / "signer"
    settings.REPORT_SIGNER_P12 = ""
    load_report_demo(say=lambda _: None)
    test_2025_from_2024_by_the_command_line(tmp_path)
    badung = Participation.objects.select_related("cycle", "region").get(
        cycle__year=2025, region__code="51.03"
    )
    report = services.generate_report(badung, actor=CLI)
    path = tmp_path / "badung-2025.pdf"
    path.write_bytes(services.read_report(report))
    text = " ".join(
        subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
        .stdout.decode()
        .split()
    )
    assert "Improvement sebanding" in text and "-0,32" in text.replace("−", "-")
    assert "tidak dapat dibandingkan: 1, 116" in text
