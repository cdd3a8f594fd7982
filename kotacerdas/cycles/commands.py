"""The base of the ``--year`` commands: core's ``CycleCommand`` bound to this app's cycles.

Every app above this one subclasses it; see ``kotacerdas.core.commands`` for how to write a command.
"""

from typing import ClassVar

from kotacerdas.core import commands
from kotacerdas.cycles.models import Cycle
from kotacerdas.cycles.policy import NotAllowed
from kotacerdas.cycles.services import CycleNotFound, get_cycle
from kotacerdas.regions.naming import RegionNameError


class CycleCommand(commands.CycleCommand[Cycle]):
    # The user-facing errors of this layer and below: an unknown year (the message lists the known
    # cycles), an unknown or ambiguous region name (it lists candidates), a refusal of the policy.
    user_errors: ClassVar[tuple[type[Exception], ...]] = (CycleNotFound, RegionNameError, NotAllowed)

    def resolve_cycle(self, year: int) -> Cycle:
        return get_cycle(year)
