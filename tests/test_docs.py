"""docs/architecture.md shows the policy and the stage machine as the code has them."""

import re
from pathlib import Path

from kotacerdas.cycles.models import Stage
from kotacerdas.cycles.policy import POLICY
from kotacerdas.cycles.stages import TRANSITIONS

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def _block(name: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:.*?-->\n(.*?)<!-- /{name} -->", text, re.S)
    assert match, f"no {name} in {DOC}"
    return [line for line in match.group(1).splitlines() if line.startswith("| `") or "→" in line]


def _stages(stages: frozenset[Stage]) -> str:
    if stages == frozenset(Stage):
        return "any"
    if stages == frozenset(Stage) - {Stage.FINAL}:
        return "any but final"
    return ", ".join(s.value for s in Stage if s in stages)


def test_the_documented_policy_is_the_policy() -> None:
    expected = [
        f"| `{action.value}` | {', '.join(sorted(r.value for r in rule.who))} | "
        f"{'cycle' if rule.cycle_wide else _stages(rule.stages)} | "
        f"{', '.join(w.value for w in rule.windows) or '—'} |"
        for action, rule in POLICY.items()
    ]
    assert _block("policy-table") == expected


def test_the_documented_stage_machine_is_the_stage_machine() -> None:
    expected = [f"| {a.value} → {b.value} | `{event}` |" for (a, b), event in TRANSITIONS.items()]
    assert _block("stage-table") == expected
