from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from kotacerdas.accounts.models import User
from kotacerdas.accounts.services import deactivate_user


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

    # Deleting a person deactivates them: the audit keeps pointing at them (its foreign key protects them),
    # so the confirmation lists only the people themselves, not what they did.
    def get_deleted_objects(self, objs, request):  # type: ignore[no-untyped-def]
        return [str(obj) for obj in objs], {}, set(), []

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        deactivate_user(obj, actor=request.user, reason="admin: delete")  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            deactivate_user(user, actor=request.user, reason="admin: delete")  # type: ignore[arg-type]
