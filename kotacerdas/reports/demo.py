"""The reports' part of the demo: the 2024 report prose and, when no signer is configured, a demo signer."""

from collections.abc import Callable
from pathlib import Path

import yaml
from django.conf import settings

from kotacerdas.cycles.models import Cycle
from kotacerdas.reports import signing
from kotacerdas.reports.models import ReportContent

CONTENT_FIELDS = (
    "programme_period",
    "overview",
    "objectives_intro",
    "objectives",
    "scope",
    "scope_collaboration",
    "method",
    "method_aspects_intro",
    "method_aspects",
    "dimension_notes",
    "indices",
    "findings_note",
    "letter_closing",
    "signatory_name",
    "signatory_title",
)
DEMO_CONTENT = settings.DATA_DIR / "demo" / "2024" / "report_content.yaml"


def load_report_content(path: Path) -> tuple[ReportContent, bool]:
    """Create the cycle's report content from a YAML file; an existing one (perhaps edited) is kept."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    cycle = Cycle.objects.get(year=document["year"])
    unknown = set(document) - {"year", *CONTENT_FIELDS}
    if unknown:
        raise ValueError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    return ReportContent.objects.get_or_create(
        cycle=cycle,
        defaults={
            name: document.get(name) or ("" if name != "dimension_notes" else {}) for name in CONTENT_FIELDS
        },
    )


def load_report_demo(say: Callable[[str], None] = print) -> None:
    _, created = load_report_content(DEMO_CONTENT)
    say(f"Report content 2024: {'created' if created else 'already present'}.")
    if getattr(settings, "REPORT_SIGNER_P12", ""):
        say(f"Report signer: {settings.REPORT_SIGNER_P12} (configured).")
        return
    directory = Path(settings.REPORT_DEMO_SIGNER_DIR)
    created = signing.create_demo_signer(directory)
    say(f"Report signer: demo CA and signer in {directory} ({'created' if created else 'already present'}).")
