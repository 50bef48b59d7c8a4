"""Django admin of reports: requirement sets (read-only: they come from content/requirements/
through sync_content), the set each agency follows (saved through the service, so every
change is audited like the choice page's) and the monthly compliance summaries (read-only)."""

from django.contrib import admin

from core.audit import AuditContext
from reports.models import AgencyRequirement, ComplianceSummary, RequirementSet
from reports.services.requirements import agency_requirement_choose


@admin.register(RequirementSet)
class RequirementSetAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "is_demo", "cycle_months", "anchor", "certificate_current"]
    list_filter = ["country", "is_demo", "anchor"]
    search_fields = ["name", "slug"]
    readonly_fields = [field.name for field in RequirementSet._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AgencyRequirement)
class AgencyRequirementAdmin(admin.ModelAdmin):
    list_display = ["agency", "requirement_set", "chosen_by", "chosen_at"]
    list_select_related = ["agency", "requirement_set", "chosen_by"]
    search_fields = ["agency__name", "requirement_set__name"]
    fields = ["agency", "requirement_set"]
    autocomplete_fields = ["agency"]

    def get_readonly_fields(self, request, obj=None):
        # One row per agency: another agency gets its own row, not this one moved.
        return ["agency"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        saved = agency_requirement_choose(
            agency=obj.agency,
            requirement_set=obj.requirement_set,
            actor=request.user,
            context=AuditContext.from_request(request),
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        agency_requirement_choose(
            agency=obj.agency,
            requirement_set=None,
            actor=request.user,
            context=AuditContext.from_request(request),
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("agency"):
            self.delete_model(request, obj)


@admin.register(ComplianceSummary)
class ComplianceSummaryAdmin(admin.ModelAdmin):
    """Read-only: what the monthly task sent (or skipped, and why); the outbox page sends a
    failed one again."""

    list_display = ["agency", "user", "month", "sent_at", "attempts", "last_error"]
    list_filter = ["month"]
    list_select_related = ["agency", "user"]
    search_fields = ["agency__name", "user__email"]
    readonly_fields = [field.name for field in ComplianceSummary._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
