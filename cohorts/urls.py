"""Cohort URLs: scheduling, seats and officers' pages here; attendance and calendars in
their own modules, under the same namespace."""

from django.urls import include, path

app_name = "cohorts"

urlpatterns = [
    path("", include("cohorts.urls_attendance")),
    path("", include("cohorts.urls_calendar")),
]
