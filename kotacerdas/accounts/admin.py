from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kotacerdas.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "role", "region", "institution", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("email", "first_name", "last_name", "institution")
    autocomplete_fields = ("region",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profil", {"fields": ("first_name", "last_name", "role", "region", "institution")}),
        ("Izin", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Waktu", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "role", "password1", "password2")}),)
