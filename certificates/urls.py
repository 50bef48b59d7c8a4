"""URLs of certificates (namespace certificates): the learner's dashboard (at /dashboard/, where
sign-in leads), the certificate page with its lifecycle forms, certificate downloads and the
public verification pages."""

from django.urls import path, re_path

from certificates.views import batch, credentials, manage, pages, renewal

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
    path("certificates/<int:certificate_id>/renew/", renewal.renew, name="renew"),
    path(
        "certificates/<int:certificate_id>/renew/finish/",
        renewal.renew_finish,
        name="renew_finish",
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
    # Open Badges 3.0: the credential (holder's and public), the issuer's documents.
    path(
        "certificates/<int:certificate_id>/credential.json",
        credentials.credential_download,
        name="credential",
    ),
    re_path(
        rf"^verify/{VERIFY_KEY_RE}/credential\.json$",
        credentials.verify_credential,
        name="verify_credential",
    ),
    path("credentials/issuer.json", credentials.issuer, name="issuer"),
    path("credentials/jwks.json", credentials.jwks, name="jwks"),
    re_path(
        r"^credentials/keys/(?P<key_id>z[1-9A-HJ-NP-Za-km-z]{40,60})\.json$",
        credentials.credential_key,
        name="credential_key",
    ),
    re_path(
        r"^credentials/status/(?P<slug>[a-z]+-[0-9]{1,9})\.json$",
        credentials.status_list,
        name="status_list",
    ),
]
