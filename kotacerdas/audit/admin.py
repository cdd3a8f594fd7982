from django.contrib import admin

from kotacerdas.audit.models import AuditEvent
from kotacerdas.core.admin import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[AuditEvent]):
    list_display = ("at", "action", "actor", "actor_label", "object_type", "object_id", "reason")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "reason", "actor_label")
