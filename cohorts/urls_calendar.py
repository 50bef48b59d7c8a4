"""Cohort calendar URLs (included by cohorts/urls.py, namespace cohorts)."""

from django.urls import path

from cohorts import views_calendar

urlpatterns = [
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/issue/", views_calendar.calendar_issue, name="calendar_issue"),
    path("calendar/revoke/", views_calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views_calendar.feed, name="feed"),
    path("<int:cohort_id>/calendar.ics", views_calendar.cohort_ics, name="cohort_ics"),
]
