"""The admin site is for the ministry's admins only (not for operators or assessors, even with is_staff)."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest

if TYPE_CHECKING:  # this module is loaded before the apps (it names the admin site's config)
    from kotacerdas.accounts.models import User


class KotaCerdasAdminSite(admin.AdminSite):
    site_header = "Kota Cerdas — administrasi"
    site_title = "Kota Cerdas"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "is_admin", False) and user.is_staff)


class AdminConfig(DjangoAdminConfig):
    default_site = "kotacerdas.accounts.admin_site.KotaCerdasAdminSite"


def admin_user(request: HttpRequest) -> "User":
    """The signed-in admin behind an admin-site request (the site admits nobody else)."""
    from kotacerdas.accounts.models import User

    assert isinstance(request.user, User)
    return request.user
