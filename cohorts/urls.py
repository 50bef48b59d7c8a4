"""Cohort URLs: scheduling, seats and officers' pages here; attendance and calendars in
their own modules, under the same namespace."""

from django.urls import include, path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("", views.cohort_list, name="list"),
    path("new/", views.cohort_new, name="new"),
    path("<int:cohort_id>/", views.cohort_detail, name="detail"),
    path("<int:cohort_id>/edit/", views.cohort_edit, name="edit"),
    path("<int:cohort_id>/sessions/", views.cohort_sessions_page, name="sessions"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/cancel/", views.session_cancel_view, name="session_cancel"),
    path("<int:cohort_id>/agencies/", views.cohort_agencies, name="agencies"),
    path(
        "agencies/<int:participation_id>/remove/",
        views.participation_remove_view,
        name="participation_remove",
    ),
    path("<int:cohort_id>/status/", views.cohort_status, name="status"),
    path("<int:cohort_id>/nominate/", views.cohort_nominate, name="nominate"),
    path("<int:cohort_id>/seats/", views.cohort_seats, name="seats"),
    path("seats/<int:seat_id>/approve/", views.seat_approve_view, name="seat_approve"),
    path("seats/<int:seat_id>/decline/", views.seat_decline_view, name="seat_decline"),
    path("seats/<int:seat_id>/withdraw/", views.seat_withdraw_view, name="seat_withdraw"),
    path("seats/<int:seat_id>/claim/", views.seat_claim_view, name="seat_claim"),
    path("seats/<int:seat_id>/leave/", views.seat_leave, name="seat_leave"),
    path("<int:cohort_id>/walk-in/", views.cohort_walk_in, name="walk_in"),
    path("", include("cohorts.urls_attendance")),
    path("", include("cohorts.urls_calendar")),
]
