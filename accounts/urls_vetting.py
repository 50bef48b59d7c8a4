"""Agency admins' pages for people and invitations, under /account/."""

from django.urls import path

from accounts.views import vetting

app_name = "vetting"

urlpatterns = [
    path("people/<int:membership_id>/", vetting.member, name="member"),
    path("people/<int:membership_id>/approve/", vetting.member_approve, name="member_approve"),
    path("people/<int:membership_id>/reject/", vetting.member_reject, name="member_reject"),
    path("people/<int:membership_id>/left/", vetting.member_left, name="member_left"),
    path(
        "people/<int:membership_id>/reconfirm/",
        vetting.member_reconfirm,
        name="member_reconfirm",
    ),
    path("people/<int:membership_id>/role/", vetting.member_role, name="member_role"),
    path("agencies/<int:agency_id>/invitations/", vetting.invitations, name="invitations"),
    path(
        "invitations/<int:invitation_id>/resend/",
        vetting.invitation_resend,
        name="invitation_resend",
    ),
    path("agencies/<int:agency_id>/import/", vetting.invitation_import_page, name="import"),
]
