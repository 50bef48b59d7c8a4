"""Attendance pages: the trainer's phone roster and its one-mark endpoint, the projector's
rotating QR code, officers checking themselves in, the sign-in sheet PDF and the CSV upload."""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.middleware import keeps_session_idle
from accounts.permissions import Action
from cohorts.access import access_checkin_seat, access_display, access_session
from cohorts.checkin import (
    Verdict,
    check_token,
    display_now,
    display_token,
    verdict_message,
)
from cohorts.forms.attendance import CheckInCodeForm, MarkForm
from cohorts.imports import AttendanceImport
from cohorts.models import Attendance
from cohorts.selectors.attendance import STATUS_ORDER, attendance_of, checked_in_count, roster_page
from cohorts.services.attendance import (
    CODE_FAILURES_ALLOWED,
    CheckIn,
    Outcome,
    SheetState,
    attendance_check_in,
    attendance_check_in_code,
    attendance_mark,
    code_attempts_left,
    sign_in_sheet_request,
    sign_in_sheet_state,
)
from core.audit import AuditContext
from core.imports.views import csv_import_page
from core.qr import qr_svg

STATUSES = [(status, Attendance.Status(status).label) for status in STATUS_ORDER]


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The trainer's roster -----------------------------------------------------------------


@functools.cache
def _roster_buttons(language: str) -> dict:
    """The roster's four buttons, once per pressed status (or none) and language, per
    process: they depend on nothing else (the template and labels change with a deploy,
    which restarts the process)."""
    return {
        status: mark_safe(  # noqa: S308 - rendered by our own template, escaped there
            render_to_string(
                "cohorts/attendance/roster_buttons.html",
                {"statuses": STATUSES, "pressed": status},
            )
        )
        for status in [None, *STATUS_ORDER]
    }


def _roster_rows(rows) -> list[dict]:
    """What each row of the roster shows. The four buttons (and the line under them) look
    the same for every officer with the same mark, so each variant is rendered once, not 600
    times: the page's time stays low on a big roster."""
    buttons = _roster_buttons(get_language())
    states = {None: _("Not marked yet")} | {
        status: _("Saved: %(status)s") % {"status": label} for status, label in STATUSES
    }
    return [
        {
            "seat": row["seat"],
            "name": row["name"],
            "alias": row["display_name"] if row["display_name"] != row["name"] else "",
            "agency": row["agency_name"],
            "walk_in": row["walk_in"],
            "note": row["note"] or "",
            "buttons": buttons[row["mark_status"]],
            "state": states[row["mark_status"]],
        }
        for row in rows
    ]


@login_required
def roster(request, session_id: int):
    session = access_session(user=request.user, session_id=session_id, action=Action.RUN_COHORT)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    page = roster_page(session=session)
    return render(
        request,
        "cohorts/attendance/roster.html",
        page
        | {
            "session": session,
            "cohort": session.cohort,
            "rows": _roster_rows(page["rows"]),
            "mark_url": reverse("cohorts:mark", kwargs={"session_id": session.pk}),
            "csrf_input": csrf_input(request),
            "note_label": _("Note"),
            "walk_in_label": _("walk-in"),
            # "Saved: %s", for the script to fill in with the status.
            "saved_pattern": _("Saved: %(status)s") % {"status": "%s"},
        },
    )


@login_required
@require_POST
def mark(request, session_id: int):
    """One officer's mark from the roster: JSON for the page's script (Accept:
    application/json), else back to the officer's row. Sending it again changes nothing."""
    session = access_session(user=request.user, session_id=session_id, action=Action.RUN_COHORT)
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = MarkForm(request.POST, session=session)
    error = attendance = None
    changed = False
    if form.is_valid():
        try:
            attendance, changed = attendance_mark(
                session=session,
                seat=form.cleaned_data["seat"],
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                actor=request.user,
                source=Attendance.Source.ROSTER,
                context=AuditContext.from_request(request),
            )
        except ValidationError as problem:
            error = _errors(problem)
    else:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    url = reverse("cohorts:roster", kwargs={"session_id": session.pk})
    if wants_json:
        if error:
            return JsonResponse({"ok": False, "error": error}, status=400)
        return JsonResponse(
            {
                "ok": True,
                "seat": attendance.seat_id,
                "status": attendance.status,
                "note": attendance.note,
                "changed": changed,
            }
        )
    if error:
        messages.error(request, error)
        return redirect(url)
    return redirect(f"{url}#seat-{attendance.seat_id}")


# --- The projector's rotating code --------------------------------------------------------


def _display(session) -> dict:
    now = display_now(session)
    url = settings.SITE_URL + reverse(
        "cohorts:checkin",
        kwargs={"session_id": session.pk, "window": now.window, "token": now.token},
    )
    return {
        "open": now.open,
        "svg": qr_svg(url) if now.open else "",
        "code": now.code if now.open else "",
        "expires_in": now.expires_in,
        "window": now.window,
        "checked_in": checked_in_count(session=session),
    }


@login_required
def qr(request, session_id: int):
    """The trainer opens the projector: a display of this session's codes that needs no
    login (see cohorts.checkin.display_token), so the trainer's session still ends when idle."""
    session = access_session(user=request.user, session_id=session_id, action=Action.RUN_COHORT)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return redirect("cohorts:projector", session_id=session.pk, token=display_token(session))


@keeps_session_idle
def projector(request, session_id: int, token: str):
    session = access_display(session_id=session_id, token=token)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(
        request,
        "cohorts/attendance/checkin_display.html",
        {
            "session": session,
            "cohort": session.cohort,
            "token": token,
            "display": _display(session),
            "code_url": settings.SITE_URL + reverse("cohorts:checkin_code"),
        },
    )


@keeps_session_idle
def projector_current(request, session_id: int, token: str):
    session = access_display(session_id=session_id, token=token)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return JsonResponse(_display(session))


# --- Officers checking themselves in ------------------------------------------------------


def _check_in_message(request, result: CheckIn) -> None:
    if result.outcome == Outcome.CHECKED_IN:
        messages.success(request, _("You are checked in. Welcome!"))
    elif result.outcome == Outcome.ALREADY:
        messages.info(request, _("You are already checked in."))
    else:
        messages.info(
            request,
            _(
                "The trainer has marked you as excused for this session, so you were not "
                "checked in. Speak to the trainer if you are here."
            ),
        )


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request, session_id: int, window: int, token: str):
    """The page a scanned QR code opens: a big button while the code is valid."""
    session, seat = access_checkin_seat(user=request.user, session_id=session_id)
    error = None
    if request.method == "POST":
        try:
            result = attendance_check_in(
                session=session,
                user=request.user,
                window=window,
                token=token,
                context=AuditContext.from_request(request),
            )
        except ValidationError as problem:
            error = _errors(problem)
        else:
            _check_in_message(request, result)
            return redirect(request.path)
    verdict = check_token(session, window, token)
    if error is None and verdict != Verdict.VALID:
        error = verdict_message(verdict)
    return render(
        request,
        "cohorts/attendance/checkin.html",
        {
            "session": session,
            "cohort": session.cohort,
            "attendance": attendance_of(session=session, seat=seat),
            "can_check_in": verdict == Verdict.VALID,
            "error": error,
        },
        status=400 if request.method == "POST" and error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin_code(request):
    """For a phone whose camera does not work: type the six digits from the screen."""
    form = CheckInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = attendance_check_in_code(
                user=request.user,
                code=form.cleaned_data["code"],
                context=AuditContext.from_request(request),
            )
        except ValidationError as problem:
            form.add_error("code", problem.messages)
        else:
            _check_in_message(request, result)
            return redirect("cohorts:checkin_done", session_id=result.session.pk)
    left = code_attempts_left(user=request.user)
    return render(
        request,
        "cohorts/attendance/checkin_code.html",
        {
            "form": form,
            "attempts_left": left,
            "show_attempts": left < CODE_FAILURES_ALLOWED,
        },
        status=400 if form.errors else 200,
    )


@login_required
def checkin_done(request, session_id: int):
    """Where a typed-code check-in lands: the session and the officer's mark."""
    session, seat = access_checkin_seat(user=request.user, session_id=session_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(
        request,
        "cohorts/attendance/checkin.html",
        {
            "session": session,
            "cohort": session.cohort,
            "attendance": attendance_of(session=session, seat=seat),
            "can_check_in": False,
            "error": None,
        },
    )


# --- Sign-in sheet ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_sheet(request, session_id: int):
    session = access_session(user=request.user, session_id=session_id, action=Action.RUN_COHORT)
    if request.method == "POST":
        try:
            sign_in_sheet_request(
                session=session, actor=request.user, context=AuditContext.from_request(request)
            )
        except ValidationError as problem:
            messages.error(request, _errors(problem))
        return redirect("cohorts:sign_in_sheet", session_id=session.pk)
    state = sign_in_sheet_state(session=session)
    return render(
        request,
        "cohorts/attendance/sign_in_sheet.html",
        {"session": session, "cohort": session.cohort, **state},
    )


@login_required
def sign_in_sheet_pdf(request, session_id: int):
    session = access_session(user=request.user, session_id=session_id, action=Action.RUN_COHORT)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    state = sign_in_sheet_state(session=session)
    if state["state"] != SheetState.READY:
        raise Http404
    return FileResponse(
        state["sheet"].pdf.open("rb"),
        as_attachment=True,
        filename=f"sign-in-sheet-{session.date:%Y-%m-%d}-{session.pk}.pdf",
        content_type="application/pdf",
    )


# --- Attendance from a CSV file -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attendance_import_page(request, session_id: int):
    """Attendance from a CSV file: the confirm-step import of core.imports."""
    session = access_session(user=request.user, session_id=session_id, action=Action.RUN_COHORT)
    return csv_import_page(
        request,
        AttendanceImport(session=session, actor=request.user),
        template="cohorts/attendance/import.html",
        context={"session": session, "cohort": session.cohort},
    )
