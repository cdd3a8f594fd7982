"""Panel membership as the policy asks for it (``cycles.policy.PanelDirectory``), registered at start-up."""

from django.db.models import QuerySet

from kotacerdas.accounts.models import User
from kotacerdas.cycles.models import Participation
from kotacerdas.review.models import Assignment


class ReviewPanels:
    """Who sits on which region's panel: an assessor's assignments."""

    def seat(self, user: User, participation: Participation) -> Assignment | None:
        if participation.pk is None:
            return None
        return (
            Assignment.objects.filter(participation_id=participation.pk, assessor__user_id=user.pk)
            .only("submitted_at")
            .first()
        )

    def participations_of(self, user: User) -> QuerySet[Participation]:
        assigned = Assignment.objects.filter(assessor__user_id=user.pk).values("participation_id")
        return Participation.objects.filter(pk__in=assigned)
