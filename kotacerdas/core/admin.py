"""What the apps' Django admin modules share."""

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """For model admins and inlines that only show data written elsewhere (by services that check the
    policy, recompute and audit): no adding, changing or deleting through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
