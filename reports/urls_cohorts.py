"""Cohort reports (namespace cohort_reports), under /cohorts/."""

from django.urls import path

from reports import views_cohorts

app_name = "cohort_reports"

urlpatterns = [
    path("<int:cohort_id>/report/", views_cohorts.report, name="report"),
    path("<int:cohort_id>/report.csv", views_cohorts.export, name="export"),
]
