"""Staff view of cohorts. Read-only: seats and their counters move only through the services
(which lock, count and audit); messages that failed can be sent again."""

from django.conf import settings
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cohorts.models import Attendance, CalendarFeed, Cohort, Notice, Seat, Session
from cohorts.services.seats import notice_retry
from core.audit import AuditContext


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["date", "start_time", "end_time", "time_zone", "starts_at", "is_cancelled"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = ["title", "course", "city", "country", "status", "seats_taken", "capacity"]
    list_filter = ["status", "country"]
    search_fields = ["title", "city"]
    list_select_related = ["course"]
    inlines = [SessionInline]


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    list_display = ["user", "cohort", "agency", "status", "walk_in", "completed_at"]
    list_filter = ["status", "walk_in"]
    search_fields = ["user__email", "cohort__title"]
    list_select_related = ["user", "cohort", "agency"]


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["seat", "session", "status", "source", "marked_at"]
    list_filter = ["status", "source"]
    list_select_related = ["seat__user", "seat__cohort", "session"]


class FailedFilter(admin.SimpleListFilter):
    title = _("sending")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("failed", _("Failed")), ("pending", _("Not sent yet")), ("sent", _("Sent"))]

    def queryset(self, request, queryset):
        limit = settings.OUTBOX_MAX_ATTEMPTS
        if self.value() == "failed":
            return queryset.filter(sent_at__isnull=True, attempts__gte=limit)
        if self.value() == "pending":
            return queryset.filter(sent_at__isnull=True, attempts__lt=limit)
        if self.value() == "sent":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["kind", "seat", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [FailedFilter, "kind"]
    list_select_related = ["seat__user", "seat__cohort"]
    actions = ["send_again"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Needed for the action; every field stays read-only.
        return request.user.is_staff

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Notice._meta.fields]

    @admin.action(description=_("Send the selected messages again"))
    def send_again(self, request, queryset):
        context = AuditContext.from_request(request)
        for notice in queryset.filter(sent_at__isnull=True):
            notice_retry(notice=notice, actor=request.user, context=context)
        self.message_user(request, _("Messages queued again."), messages.SUCCESS)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["user", "created_at", "last_used_at"]
    fields = ["user", "created_at", "last_used_at"]
