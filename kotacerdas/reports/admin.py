from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kotacerdas.accounts.admin_site import admin_user
from kotacerdas.core.admin import ReadOnlyAdminMixin
from kotacerdas.cycles.models import Cycle
from kotacerdas.reports import services
from kotacerdas.reports.builder import ReportContentMissing
from kotacerdas.reports.models import ReportBatch, ReportContent, ReportVersion
from kotacerdas.reports.signing import SignerNotConfigured, load_signer
from kotacerdas.results.table import current_result_set


@admin.register(ReportContent)
class ReportContentAdmin(admin.ModelAdmin[ReportContent]):
    list_display = ["cycle", "programme_period", "updated_at"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["cycle", "programme_period"]}),
        (
            _("Laporan daerah"),
            {"fields": ["overview", "objectives_intro", "objectives", "scope", "scope_collaboration"]},
        ),
        (_("Metodologi"), {"fields": ["method", "method_aspects_intro", "method_aspects"]}),
        (
            _("Surat hasil evaluasi"),
            {
                "fields": [
                    "dimension_notes",
                    "indices",
                    "findings_note",
                    "letter_closing",
                    "signatory_name",
                    "signatory_title",
                ]
            },
        ),
        (None, {"fields": ["updated_at"]}),
    ]

    def save_model(self, request: HttpRequest, obj: ReportContent, form: Any, change: bool) -> None:
        services.save_report_content(obj, changed=list(form.changed_data), actor=admin_user(request))


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ReportVersion]):
    """Issued documents are immutable: the admin lists and shows them, and offers the signed file."""

    list_display = ["code", "cycle", "region", "kind", "version", "created_at", "pages", "download"]
    list_filter = ["cycle", "kind"]
    search_fields = ["code", "sha256", "participation__region__name", "participation__region__code"]
    list_select_related = ["cycle", "participation__region"]
    readonly_fields = [f.name for f in ReportVersion._meta.fields]

    @admin.display(description=_("daerah"))
    def region(self, obj: ReportVersion) -> str:
        return obj.participation.region.table_name if obj.participation else "—"

    @admin.display(description=_("berkas"))
    def download(self, obj: ReportVersion) -> str:
        return format_html('<a href="{}">PDF</a>', reverse("reports:download", args=[obj.code]))


@admin.register(ReportBatch)
class ReportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[ReportBatch]):
    """Every region's report in one go: the button queues one background task per region."""

    change_list_template = "admin/reports/reportbatch/change_list.html"
    list_display = ["__str__", "cycle", "result_set", "created_at", "created_by", "progress", "finished_at"]
    list_select_related = ["cycle", "result_set", "created_by"]
    readonly_fields = [
        "cycle",
        "result_set",
        "created_at",
        "created_by",
        "finished_at",
        "abandoned",
        "progress",
    ]

    @admin.display(description=_("kemajuan"))
    def progress(self, obj: ReportBatch) -> str:
        p = services.batch_progress(obj)
        failed = format_html(' · <span style="color:#b00">{} gagal</span>', p.failed) if p.failed else ""
        return format_html(
            '<progress value="{}" max="{}" style="width:12rem"></progress> {}/{}{}',
            p.done,
            p.total,
            p.done,
            p.total,
            failed,
        )

    def get_urls(self) -> list[URLPattern]:
        start = self.admin_site.admin_view(require_POST(self.start_view))
        return [path("mulai/", start, name="reports_reportbatch_start"), *super().get_urls()]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        running: QuerySet[ReportBatch] = ReportBatch.objects.filter(finished_at__isnull=True, abandoned=False)
        context = {
            "cycles": Cycle.objects.order_by("-year"),
            "running": [(b, services.batch_progress(b)) for b in running.select_related("cycle")],
            **(extra_context or {}),
        }
        response = super().changelist_view(request, extra_context=context)
        if isinstance(response, TemplateResponse) and context["running"]:
            response["Refresh"] = "3"  # the progress bars follow the workers without any script
        return response

    def start_view(self, request: HttpRequest) -> HttpResponse:
        if not getattr(request.user, "is_admin", False):
            messages.error(request, _("Anda tidak berwenang membuat laporan."))
        else:
            cycle = get_object_or_404(Cycle, pk=request.POST.get("cycle"))
            try:
                load_signer()
                services.cycle_part(cycle, current_result_set(cycle))
                batch, resumed = services.start_report_batch(cycle, actor=admin_user(request))
            except (SignerNotConfigured, ReportContentMissing) as exc:
                messages.error(request, str(exc))
            else:
                progress = services.batch_progress(batch)
                verb = _("dilanjutkan") if resumed else _("dimulai")
                messages.success(
                    request,
                    _("Pembuatan laporan %(year)s %(verb)s: %(todo)s dari %(total)s laporan diantrikan.")
                    % {
                        "year": cycle.year,
                        "verb": verb,
                        "todo": progress.total - progress.done,
                        "total": progress.total,
                    },
                )
        return HttpResponseRedirect(reverse("admin:reports_reportbatch_changelist"))
