"""Cohort URLs, namespace cohorts: scheduling, seats, attendance and calendars."""

from django.urls import path

from cohorts import views, views_attendance, views_calendar

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
    # Attendance
    path("sessions/<int:session_id>/roster/", views_attendance.roster, name="roster"),
    path("sessions/<int:session_id>/mark/", views_attendance.mark, name="mark"),
    path("sessions/<int:session_id>/checkin-display/", views_attendance.qr, name="qr"),
    path(
        "sessions/<int:session_id>/projector/<str:token>/",
        views_attendance.projector,
        name="projector",
    ),
    path(
        "sessions/<int:session_id>/projector/<str:token>/current/",
        views_attendance.projector_current,
        name="projector_current",
    ),
    path(
        "checkin/<int:session_id>/<int:window>/<str:token>/",
        views_attendance.checkin,
        name="checkin",
    ),
    path("checkin/", views_attendance.checkin_code, name="checkin_code"),
    path("checkin/<int:session_id>/done/", views_attendance.checkin_done, name="checkin_done"),
    path(
        "sessions/<int:session_id>/sign-in-sheet/",
        views_attendance.sign_in_sheet,
        name="sign_in_sheet",
    ),
    path(
        "sessions/<int:session_id>/sign-in-sheet.pdf",
        views_attendance.sign_in_sheet_pdf,
        name="sign_in_sheet_pdf",
    ),
    path(
        "sessions/<int:session_id>/attendance-import/",
        views_attendance.attendance_import_page,
        name="attendance_import",
    ),
    # Calendars
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("calendar/issue/", views_calendar.calendar_issue, name="calendar_issue"),
    path("calendar/revoke/", views_calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views_calendar.feed, name="feed"),
    path("<int:cohort_id>/calendar.ics", views_calendar.cohort_ics, name="cohort_ics"),
]
