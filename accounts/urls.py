"""URLs of accounts (namespace accounts): invitations, agency admins' pages for people
(vetting), the audit search and export, a person's profile, erasure, and the language switch.

Mounted at the site's root, so each path carries its own prefix as before: `account/`,
`audit/`, `i18n/setlang/` (the MFA middleware lets `/i18n/` through). The personal-data export
(`account/data.json`) reads every app, so reports declares it (`reports:personal_data_export`).
"""

from django.urls import path

from accounts import views
from accounts.views import audit, privacy, vetting

app_name = "accounts"

MEMBER = "account/people/<int:membership_id>/"

urlpatterns = [
    path("account/invitation/<str:token>/", views.invitation, name="invitation"),
    # Vetting: agency admins' pages for people and invitations.
    path(MEMBER, vetting.member, name="member"),
    path(MEMBER + "approve/", vetting.member_approve, name="member_approve"),
    path(MEMBER + "reject/", vetting.member_reject, name="member_reject"),
    path(MEMBER + "left/", vetting.member_left, name="member_left"),
    path(MEMBER + "reconfirm/", vetting.member_reconfirm, name="member_reconfirm"),
    path(MEMBER + "role/", vetting.member_role, name="member_role"),
    path(
        "account/agencies/<int:agency_id>/invitations/",
        vetting.invitations,
        name="invitations",
    ),
    path(
        "account/invitations/<int:invitation_id>/resend/",
        vetting.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "account/agencies/<int:agency_id>/import/",
        vetting.invitation_import_page,
        name="invitation_import",
    ),
    # The audit trail.
    path("audit/", audit.search, name="audit_search"),
    path("audit/export.csv", audit.export, name="audit_export"),
    # A person's own profile, and erasure by programme staff.
    path("account/profile/", privacy.profile, name="profile"),
    path("account/people/<int:user_id>/erase/", privacy.erase, name="person_erase"),
    path("i18n/setlang/", views.set_language, name="set_language"),
]
