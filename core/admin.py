"""Staff view of the outbox: what failed (kind, ids, attempts, last error) and "Send again"."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.audit import AuditContext
from core.models import OutboxMessage
from core.outbox import outbox_send_again


class FailedFirstFilter(admin.SimpleListFilter):
    """Failed rows are what staff come for, so the list opens on them."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*OutboxMessage.Status.choices, ("all", _("All"))]

    def choices(self, changelist):
        value = self.value() or OutboxMessage.Status.FAILED
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value() or OutboxMessage.Status.FAILED
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["kind", "payload", "status", "attempts", "next_attempt_at", "last_error"]
    list_filter = [FailedFirstFilter, "kind"]
    search_fields = ["kind", "last_error"]
    actions = ["send_again"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Send again"))
    def send_again(self, request, queryset):
        count = 0
        context = AuditContext.from_request(request)
        for message in queryset.exclude(status=OutboxMessage.Status.DONE):
            outbox_send_again(message=message, actor=request.user, context=context)
            count += 1
        self.message_user(
            request, _("%(count)d messages queued again.") % {"count": count}, messages.SUCCESS
        )
