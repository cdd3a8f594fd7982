"""What the top layer's pages and commands do across apps (this app owns no table of its own)."""

from kotacerdas.accounts.models import User
from kotacerdas.core.actors import SystemActor
from kotacerdas.cycles.models import Cycle
from kotacerdas.instrument import services as instrument
from kotacerdas.instrument.services import InstrumentSummary
from kotacerdas.reports.services import copy_report_content


def start_next_cycle(
    source: Cycle, year: int, *, actor: User | SystemActor
) -> tuple[Cycle, int, InstrumentSummary]:
    """``new-cycle`` and the admin's page: the cycle with its instrument (``instrument.start_next_cycle``)
    and the previous cycle's report prose to edit. Idempotent."""
    cycle, added, summary = instrument.start_next_cycle(source, year, actor=actor)
    copy_report_content(source, cycle, actor=actor)
    return cycle, added, summary
