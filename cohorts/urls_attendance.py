"""Cohort attendance URLs (included by cohorts/urls.py, namespace cohorts)."""

from django.urls import path

from cohorts import views_attendance as views

urlpatterns = [
    path("sessions/<int:session_id>/roster/", views.roster, name="roster"),
    path("sessions/<int:session_id>/mark/", views.mark, name="mark"),
    path("sessions/<int:session_id>/checkin-display/", views.qr, name="qr"),
    path(
        "sessions/<int:session_id>/projector/<str:token>/",
        views.projector,
        name="projector",
    ),
    path(
        "sessions/<int:session_id>/projector/<str:token>/current/",
        views.projector_current,
        name="projector_current",
    ),
    path("checkin/<int:session_id>/<int:window>/<str:token>/", views.checkin, name="checkin"),
    path("checkin/", views.checkin_code, name="checkin_code"),
    path("checkin/<int:session_id>/done/", views.checkin_done, name="checkin_done"),
    path("sessions/<int:session_id>/sign-in-sheet/", views.sign_in_sheet, name="sign_in_sheet"),
    path(
        "sessions/<int:session_id>/sign-in-sheet.pdf",
        views.sign_in_sheet_pdf,
        name="sign_in_sheet_pdf",
    ),
    path(
        "sessions/<int:session_id>/attendance-import/",
        views.attendance_import_page,
        name="attendance_import",
    ),
]
