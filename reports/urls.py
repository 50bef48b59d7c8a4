"""URLs of reports (namespace reports): agency rosters under `agency/`, cohort reports under
`cohorts/`, and the personal-data export at `account/data.json` (it reads every app, so its
view lives here, the top layer). Mounted at the site's root so every path stays as it was."""

from django.urls import path

from reports.views import (
    agencies,
    cohorts,
    dashboards,
    exports,
    personal_data,
    requirements,
    transcripts,
)

app_name = "reports"

urlpatterns = [
    path("agency/", agencies.agencies, name="agencies"),
    path("agency/<int:agency_id>/roster/", agencies.roster, name="roster"),
    path("agency/<int:agency_id>/roster.csv", agencies.roster_export, name="roster_export"),
    path(
        "agency/<int:agency_id>/requirements/",
        requirements.agency_requirements,
        name="agency_requirements",
    ),
    path("cohorts/<int:cohort_id>/report/", cohorts.report, name="cohort_report"),
    path(
        "cohorts/<int:cohort_id>/report.csv",
        cohorts.export,
        name="cohort_report_export",
    ),
    path("dashboards/", dashboards.index, name="dashboards"),
    path("dashboards/programme/", dashboards.programme, name="dashboard_programme"),
    path("dashboards/country/<str:country>/", dashboards.country, name="dashboard_country"),
    path("dashboards/agency/<int:agency_id>/", dashboards.agency, name="dashboard_agency"),
    path(
        "dashboards/agency/<int:agency_id>/officers/",
        dashboards.officers,
        name="dashboard_officers",
    ),
    path("account/data.json", personal_data.data_export, name="personal_data_export"),
    # Table exports (reports.exports): the table's name and format in the path, its
    # parameters in the query string.
    path("exports/", exports.jobs, name="export_jobs"),
    path("exports/<str:table>.<str:fmt>", exports.export, name="export"),
    path("exports/jobs/<int:job_id>/", exports.job, name="export_job"),
    path("exports/jobs/<int:job_id>.json", exports.job_status, name="export_job_status"),
    path("exports/jobs/<int:job_id>/download", exports.job_download, name="export_job_download"),
    # Training records (transcripts) and the public check of a signed PDF transcript.
    path("training-record/", transcripts.my_transcript, name="my_transcript"),
    path("training-record/<int:user_id>/", transcripts.transcript, name="transcript"),
    path(
        "training-record/<int:user_id>/signed-pdf/",
        transcripts.signed_transcript_request,
        name="signed_transcript_request",
    ),
    path(
        "training-record/transcripts/<str:serial>/",
        transcripts.signed_transcript,
        name="signed_transcript",
    ),
    path(
        "training-record/transcripts/<str:serial>/status/",
        transcripts.signed_transcript_status,
        name="signed_transcript_status",
    ),
    path(
        "training-record/transcripts/<str:serial>.pdf",
        transcripts.signed_transcript_download,
        name="signed_transcript_download",
    ),
    path(
        "verify/transcripts/<str:token>/",
        transcripts.transcript_verify,
        name="transcript_verify",
    ),
]
