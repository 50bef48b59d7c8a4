"""Staff view of certificates: failed renders to retry, and revocation (both audited)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from certificates.models import Certificate, CertificateReminder, CertificateRenewal
from certificates.services import certificate_retry, certificate_revoke
from certificates.services.lifecycle import REVOCABLE
from core.audit import AuditContext


class RevokeActionForm(ActionForm):
    category = forms.ChoiceField(
        label=_("Reason category (for revocation)"),
        required=False,
        choices=[("", "---------"), *Certificate.RevocationReason.choices],
    )
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
    # The PDF by its stored name only: Django would link it through storage.url(), a signed
    # bucket link that skips the site's access check and download path.
    readonly_fields = [
        "stored_pdf" if field.name == "pdf" else field.name for field in Certificate._meta.fields
    ]
    exclude = ["pdf"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("PDF"))
    def stored_pdf(self, certificate: Certificate) -> str:
        return certificate.pdf.name or "-"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected certificates"))
    def revoke(self, request, queryset):
        """A second door onto the same service as the certificate page; those that cannot
        be revoked (already revoked, superseded) are left as they are."""
        reason = request.POST.get("reason", "").strip()
        category = request.POST.get("category", "")
        if not reason or category not in Certificate.RevocationReason.values:
            self.message_user(
                request, _("Choose a reason category and give a reason to revoke."), messages.ERROR
            )
            return
        context = AuditContext.from_request(request)
        revoked = 0
        for certificate in queryset.filter(status__in=REVOCABLE):
            certificate_revoke(
                certificate=certificate,
                actor=request.user,
                reason_category=category,
                reason=reason,
                context=context,
            )
            revoked += 1
        self.message_user(
            request,
            ngettext("%(count)d certificate revoked.", "%(count)d certificates revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )

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
