"""Cohort reports (namespace cohort_reports)."""

app_name = "cohort_reports"

urlpatterns = []
