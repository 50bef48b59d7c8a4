"""URLs of certificates (namespace certificates): the learner's dashboard (at /dashboard/, where
sign-in leads), certificate downloads and the public verification pages."""

from django.urls import path, re_path

from certificates.views import batch, pages

app_name = "certificates"

VERIFY_KEY_RE = r"(?P<token>[A-Za-z0-9_-]{22,64})"

urlpatterns = [
    path("dashboard/", pages.dashboard, name="dashboard"),
    path(
        "certificates/<int:certificate_id>/download/",
        pages.certificate_download,
        name="download",
    ),
    path(
        "certificates/cohorts/<int:cohort_id>/",
        batch.cohort_certificates,
        name="cohort_certificates",
    ),
    path("certificates/cohorts/<int:cohort_id>/issue/", batch.batch_issue, name="batch_issue"),
    path(
        "certificates/cohorts/<int:cohort_id>/reissue/", batch.batch_reissue, name="batch_reissue"
    ),
    path("certificates/batches/<int:batch_id>/", batch.batch_detail, name="batch"),
    path("certificates/batches/<int:batch_id>.json", batch.batch_json, name="batch_json"),
    path("certificates/batches/<int:batch_id>/retry/", batch.batch_retry, name="batch_retry"),
    re_path(rf"^verify/{VERIFY_KEY_RE}\.json$", pages.verify_json, name="verify_json"),
    re_path(rf"^verify/{VERIFY_KEY_RE}/$", pages.verify, name="verify"),
]
