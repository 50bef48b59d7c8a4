"""URLs of certificates (namespace certificates): the learner's dashboard (at /dashboard/, where
sign-in leads), certificate downloads and the public verification pages."""

from django.urls import path, re_path

from certificates.views import pages, renewal

app_name = "certificates"

VERIFY_KEY_RE = r"(?P<token>[A-Za-z0-9_-]{22,64})"

urlpatterns = [
    path("dashboard/", pages.dashboard, name="dashboard"),
    path(
        "certificates/<int:certificate_id>/download/",
        pages.certificate_download,
        name="download",
    ),
    path("certificates/<int:certificate_id>/renew/", renewal.renew, name="renew"),
    path(
        "certificates/<int:certificate_id>/renew/finish/",
        renewal.renew_finish,
        name="renew_finish",
    ),
    re_path(rf"^verify/{VERIFY_KEY_RE}\.json$", pages.verify_json, name="verify_json"),
    re_path(rf"^verify/{VERIFY_KEY_RE}/$", pages.verify, name="verify"),
]
