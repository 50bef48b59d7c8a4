"""URLs of certificates (namespace certificates): the learner's dashboard (at /dashboard/, where
sign-in leads), the certificate page with its lifecycle forms, certificate downloads and the
public verification pages."""

from django.urls import path, re_path

from certificates.views import manage, pages

app_name = "certificates"

VERIFY_KEY_RE = r"(?P<token>[A-Za-z0-9_-]{22,64})"

urlpatterns = [
    path("dashboard/", pages.dashboard, name="dashboard"),
    path("certificates/<int:certificate_id>/", manage.certificate_detail, name="detail"),
    path(
        "certificates/<int:certificate_id>/download/",
        pages.certificate_download,
        name="download",
    ),
    path(
        "certificates/<int:certificate_id>/revoke/",
        manage.certificate_revoke_view,
        name="revoke",
    ),
    path(
        "certificates/<int:certificate_id>/suspend/",
        manage.certificate_suspend_view,
        name="suspend",
    ),
    path(
        "certificates/<int:certificate_id>/reinstate/",
        manage.certificate_reinstate_view,
        name="reinstate",
    ),
    path(
        "certificates/<int:certificate_id>/correct/",
        manage.certificate_correct_view,
        name="correct",
    ),
    re_path(rf"^verify/{VERIFY_KEY_RE}\.json$", pages.verify_json, name="verify_json"),
    re_path(rf"^verify/{VERIFY_KEY_RE}/$", pages.verify, name="verify"),
]
