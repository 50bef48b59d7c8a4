"""Staff view of certificates: failed renders to retry, and revocation (both audited)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate, CertificateReminder, CertificateRenewal
from certificates.services import certificate_retry, certificate_revoke
from core.audit import AuditContext


class RevokeActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (for revocation)"), required=False, max_length=500)


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = [
        "serial",
        "holder_name",
        "course_title",
        "status",
        "render_attempts",
        "issued_at",
    ]
    list_filter = ["status"]
    search_fields = ["serial", "holder_name"]
    list_select_related = ["user"]
    action_form = RevokeActionForm
    actions = ["revoke", "retry"]
    readonly_fields = [field.name for field in Certificate._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected certificates"))
    def revoke(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Give a reason to revoke."), messages.ERROR)
            return
        context = AuditContext.from_request(request)
        for certificate in queryset:
            certificate_revoke(
                certificate=certificate, actor=request.user, reason=reason, context=context
            )
        self.message_user(request, _("Certificates revoked."), messages.SUCCESS)

    @admin.action(description=_("Queue the selected failed certificates again"))
    def retry(self, request, queryset):
        context = AuditContext.from_request(request)
        for certificate in queryset.filter(status=Certificate.Status.FAILED):
            certificate_retry(certificate=certificate, actor=request.user, context=context)
        self.message_user(request, _("Failed certificates queued again."), messages.SUCCESS)


@admin.register(CertificateReminder)
class CertificateReminderAdmin(admin.ModelAdmin):
    """Expiry reminders, read only: what went (or why not) and when."""

    list_display = ["certificate", "days_before", "created_at", "sent_at", "attempts"]
    list_filter = ["days_before"]
    search_fields = ["certificate__serial"]
    list_select_related = ["certificate"]
    readonly_fields = [field.name for field in CertificateReminder._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CertificateRenewal)
class CertificateRenewalAdmin(admin.ModelAdmin):
    """Renewals started by holders, read only."""

    list_display = ["certificate", "started_at", "completed_at", "renewed"]
    search_fields = ["certificate__serial"]
    list_select_related = ["certificate", "renewed"]
    readonly_fields = [field.name for field in CertificateRenewal._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
