"""Cohort URLs, namespace cohorts: scheduling, seats, attendance and calendars."""

from django.urls import path

from cohorts.views import attendance, calendar, schedule, seats

app_name = "cohorts"

urlpatterns = [
    path("", schedule.cohort_list, name="list"),
    path("new/", schedule.cohort_new, name="new"),
    path("<int:cohort_id>/", schedule.cohort_detail, name="detail"),
    path("<int:cohort_id>/edit/", schedule.cohort_edit, name="edit"),
    path("<int:cohort_id>/sessions/", schedule.cohort_sessions_page, name="sessions"),
    path("sessions/<int:session_id>/edit/", schedule.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/cancel/", schedule.session_cancel_view, name="session_cancel"),
    path("<int:cohort_id>/agencies/", schedule.cohort_agencies, name="agencies"),
    path(
        "agencies/<int:participation_id>/remove/",
        schedule.participation_remove_view,
        name="participation_remove",
    ),
    path("<int:cohort_id>/status/", schedule.cohort_status, name="status"),
    path("<int:cohort_id>/nominate/", seats.cohort_nominate, name="nominate"),
    path("<int:cohort_id>/seats/", seats.cohort_seats, name="seats"),
    path("seats/<int:seat_id>/approve/", seats.seat_approve_view, name="seat_approve"),
    path("seats/<int:seat_id>/decline/", seats.seat_decline_view, name="seat_decline"),
    path("seats/<int:seat_id>/withdraw/", seats.seat_withdraw_view, name="seat_withdraw"),
    path("seats/<int:seat_id>/claim/", seats.seat_claim_view, name="seat_claim"),
    path("seats/<int:seat_id>/leave/", seats.seat_leave, name="seat_leave"),
    path("<int:cohort_id>/walk-in/", seats.cohort_walk_in, name="walk_in"),
    # Attendance
    path("sessions/<int:session_id>/roster/", attendance.roster, name="roster"),
    path("sessions/<int:session_id>/mark/", attendance.mark, name="mark"),
    path("sessions/<int:session_id>/checkin-display/", attendance.qr, name="qr"),
    path(
        "sessions/<int:session_id>/projector/<str:token>/",
        attendance.projector,
        name="projector",
    ),
    path(
        "sessions/<int:session_id>/projector/<str:token>/current/",
        attendance.projector_current,
        name="projector_current",
    ),
    path(
        "checkin/<int:session_id>/<int:window>/<str:token>/",
        attendance.checkin,
        name="checkin",
    ),
    path("checkin/", attendance.checkin_code, name="checkin_code"),
    path("checkin/<int:session_id>/done/", attendance.checkin_done, name="checkin_done"),
    path(
        "sessions/<int:session_id>/sign-in-sheet/",
        attendance.sign_in_sheet,
        name="sign_in_sheet",
    ),
    path(
        "sessions/<int:session_id>/sign-in-sheet.pdf",
        attendance.sign_in_sheet_pdf,
        name="sign_in_sheet_pdf",
    ),
    path(
        "sessions/<int:session_id>/attendance-import/",
        attendance.attendance_import_page,
        name="attendance_import",
    ),
    # Calendars
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/issue/", calendar.calendar_issue, name="calendar_issue"),
    path("calendar/revoke/", calendar.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", calendar.feed, name="feed"),
    path("<int:cohort_id>/calendar.ics", calendar.cohort_ics, name="cohort_ics"),
]
