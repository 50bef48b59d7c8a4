"""Django admin (programme staff only). Memberships, invitations and users are where roles
and staff status are granted: saving them asks for the password again, and their audit rows
name the role before and after."""

from allauth.account.decorators import reauthentication_required
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.audit import audit_log
from accounts.models import (
    Agency,
    AuditEvent,
    Invitation,
    Membership,
    TrainerQualification,
    Unit,
    User,
)
from core.audit import AuditContext


class AuditedAdminMixin:
    """Changes made in the Django admin leave audit rows like every other write."""

    # Fields whose value before and after the audit row keeps (roles and staff status).
    audited_values: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        details = {"fields": sorted(form.changed_data)}
        for name in self.audited_values:
            if name in form.changed_data:
                details[name] = {
                    "from": form.initial.get(name) if change else None,
                    "to": getattr(obj, name),
                }
        audit_log(
            action="admin.change" if change else "admin.add",
            actor=request.user,
            target=obj,
            details=details,
            context=AuditContext.from_request(request),
        )

    def delete_model(self, request, obj):
        audit_log(
            action="admin.delete",
            actor=request.user,
            target=obj,
            context=AuditContext.from_request(request),
        )
        super().delete_model(request, obj)


class GrantingAdminMixin:
    """Adding or changing these objects can grant a role: the save asks for the password again
    (the form is kept and submitted once it is given), as on the site's own pages."""

    def changeform_view(self, request, *args, **kwargs):
        if request.method == "POST":
            view = reauthentication_required(super().changeform_view)
            return view(request, *args, **kwargs)
        return super().changeform_view(request, *args, **kwargs)


@admin.register(User)
class UserAdmin(GrantingAdminMixin, AuditedAdminMixin, DjangoUserAdmin):
    audited_values = ("is_staff", "is_superuser")
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_staff", "is_active", "allow_multi_agency"]
    search_fields = ["email", "full_name", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "display_name", "time_zone"]}),
        ("Profile language", {"fields": ["language"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "allow_multi_agency", "groups"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]


@admin.register(Agency)
class AgencyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "country", "time_zone"]
    search_fields = ["name"]


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "agency"]
    list_select_related = ["agency"]


@admin.register(Membership)
class MembershipAdmin(GrantingAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    """Programme staff create coordinators, programme trainers and agency admins here;
    agency admins vet officers in the site's own pages (every decision is audited there)."""

    audited_values = ("role", "status")

    list_display = ["user", "agency", "country", "role", "status", "vetted_at"]
    list_filter = ["role", "status", "agency"]
    list_select_related = ["user", "agency"]
    search_fields = ["user__email", "user__full_name"]
    raw_id_fields = ["user", "decided_by"]


@admin.register(TrainerQualification)
class TrainerQualificationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "title", "course_slug", "expires_on"]
    list_select_related = ["user"]


@admin.register(Invitation)
class InvitationAdmin(GrantingAdminMixin, AuditedAdminMixin, admin.ModelAdmin):
    audited_values = ("role",)
    list_display = ["email", "agency", "role", "sent_count", "expires_at", "accepted_at"]
    list_select_related = ["agency"]
    readonly_fields = ["token"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "target_type", "target_id", "outcome"]
    list_filter = ["action", "outcome"]
    list_select_related = ["actor"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
