"""Scheduling: the cohort lists, the cohort page, and the pages where trainers schedule a
cohort, its sessions, agencies and status. Views parse input, call one service or selector
and render; every POST redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import Action, agencies_for
from cohorts.access import (
    access_cohort,
    access_cohort_page,
    access_participation,
    access_session,
    may_schedule,
)
from cohorts.forms.schedule import (
    STATUS_ACTIONS,
    CohortForm,
    CourseChoiceForm,
    ParticipationForm,
    QuotaForm,
    SessionForm,
    StatusForm,
)
from cohorts.models import Cohort, Participation, Seat
from cohorts.selectors.cohorts import (
    cohort_page,
    cohort_participations,
    cohort_sessions,
    cohorts_for_agencies,
    cohorts_run_by,
    seats_of_user,
)
from cohorts.selectors.schedule import (
    schedule_reference_date,
    trainer_options,
    upcoming_sessions,
)
from cohorts.services.schedule import (
    cohort_create,
    cohort_next_statuses,
    cohort_set_status,
    cohort_update,
    participation_remove,
    participation_set,
    session_cancel,
    session_save,
)
from cohorts.views.outcome import error_text, reported
from core.audit import AuditContext

LIST_PAGE_SIZE = 50

# The order status buttons appear in.
STATUS_ORDER = [
    Cohort.Status.OPEN,
    Cohort.Status.RUNNING,
    Cohort.Status.CLOSED,
    Cohort.Status.DRAFT,
    Cohort.Status.CANCELLED,
]


# --- Lists and the cohort page -----------------------------------------------------------


@login_required
def cohort_list(request):
    """Role-aware: cohorts a trainer runs, cohorts an admin's agencies take part in, and an
    officer's own seats."""
    user = request.user
    now = timezone.now()
    schedules = may_schedule(user=user)
    run_page = None
    if schedules:
        run_page = Paginator(cohorts_run_by(user=user), LIST_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
    agency_page = None
    if not user.is_staff:
        agency_ids = list(agencies_for(user, Action.NOMINATE_OFFICERS).values_list("pk", flat=True))
        if agency_ids:
            agency_page = Paginator(
                cohorts_for_agencies(agency_ids=agency_ids), LIST_PAGE_SIZE
            ).get_page(request.GET.get("apage"))
    current, past = [], []
    for seat in seats_of_user(user=user):
        row = {"seat": seat, "upcoming": upcoming_sessions(seat=seat, now=now)}
        live = seat.status in Seat.ACTIVE and seat.cohort.is_live
        (current if live else past).append(row)
    return render(
        request,
        "cohorts/list.html",
        {
            "schedules": schedules,
            "run_page": run_page,
            "agency_page": agency_page,
            "current_seats": current,
            "past_seats": past,
            "now": now,
        },
    )


@login_required
def cohort_detail(request, cohort_id: int):
    cohort = access_cohort_page(user=request.user, cohort_id=cohort_id)
    actions = cohort.actions
    page = cohort_page(cohort=cohort, user=request.user)
    context = {
        "cohort": cohort,
        "rights": {str(action) for action in actions},
        "sessions": page["sessions"],
        "trainers": page["trainers"],
        "participations": page["participations"],
        "prerequisites": page["prerequisites"],
        "deadline_passed": cohort.nomination_deadline < timezone.now(),
    }
    if Action.RUN_COHORT in actions:
        allowed = cohort_next_statuses(cohort=cohort, has_seats=cohort.has_seats)
        context["status_actions"] = [
            (status, STATUS_ACTIONS[status]) for status in STATUS_ORDER if status in allowed
        ]
    if Action.NOMINATE_OFFICERS in actions and not request.user.is_staff:
        context["own_participations"] = page["own_participations"]
    if Action.ATTEND_COHORT in actions:
        context["my_seat"] = cohort.viewer_seat
    return render(request, "cohorts/detail.html", context)


# --- Scheduling ---------------------------------------------------------------------------


@login_required
def cohort_new(request):
    """Step one picks the course (?course=<slug>); step two the rest, for that course."""
    if not may_schedule(user=request.user):
        raise Http404
    course_form = CourseChoiceForm(request.GET or None)
    if not course_form.is_valid():
        return render(request, "cohorts/course_pick.html", {"course_form": course_form})
    course = course_form.cleaned_data["course"]
    options = trainer_options(course=course, on=schedule_reference_date(cohort=None))
    mine = [o.user.pk for o in options if o.user.pk == request.user.pk and not o.problem]
    initial = {"attendance_threshold": 80, "trainers": mine, "title": course.title}
    form = CohortForm(
        request.POST or None,
        course=course,
        trainer_options=options,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            cohort = cohort_create(
                actor=request.user,
                context=AuditContext.from_request(request),
                **form.service_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("The cohort is scheduled as a draft. Add its sessions, then open it."),
            )
            return redirect("cohorts:sessions", cohort_id=cohort.pk)
    return render(request, "cohorts/form.html", {"form": form, "course": course, "cohort": None})


@login_required
def cohort_edit(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, action=Action.RUN_COHORT)
    options = trainer_options(
        course=cohort.course,
        on=schedule_reference_date(cohort=cohort),
        assigned_ids=cohort.trainers.values_list("pk", flat=True),
    )
    form = CohortForm(
        request.POST or None,
        course=cohort.course,
        trainer_options=options,
        user=request.user,
        cohort=cohort,
    )
    if request.method == "POST" and form.is_valid():
        try:
            cohort_update(
                cohort=cohort,
                actor=request.user,
                changes=form.changes(),
                trainers=form.cleaned_data["trainers"],
                prerequisite_modules=list(form.cleaned_data["prerequisite_modules"]),
                context=AuditContext.from_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The cohort is saved."))
            return redirect("cohorts:detail", cohort_id=cohort.pk)
    return render(
        request, "cohorts/form.html", {"form": form, "course": cohort.course, "cohort": cohort}
    )


@login_required
def cohort_sessions_page(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, action=Action.RUN_COHORT)
    form = SessionForm(request.POST or None)
    if _save_session(request, form, cohort=cohort):
        messages.success(request, _("The session is added."))
        return redirect("cohorts:sessions", cohort_id=cohort.pk)
    return render(
        request,
        "cohorts/sessions.html",
        {"cohort": cohort, "sessions": list(cohort_sessions(cohort=cohort)), "form": form},
    )


def _save_session(request, form, *, cohort, session=None) -> bool:
    """Add or change a session from a posted SessionForm; False leaves the errors on the form
    (a daylight-saving gap, an end before the start...)."""
    if request.method != "POST" or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        session_save(
            cohort=cohort,
            actor=request.user,
            day=data["date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            title=data["title"],
            session=session,
            context=AuditContext.from_request(request),
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return False
    return True


@login_required
def session_edit(request, session_id: int):
    session = access_session(user=request.user, session_id=session_id, action=Action.RUN_COHORT)
    initial = {
        "date": session.date,
        "start_time": session.start_time,
        "end_time": session.end_time,
        "title": session.title,
    }
    form = SessionForm(request.POST or None, initial=initial)
    if _save_session(request, form, cohort=session.cohort, session=session):
        messages.success(request, _("The session is saved."))
        return redirect("cohorts:sessions", cohort_id=session.cohort_id)
    return render(
        request,
        "cohorts/session_edit.html",
        {"session": session, "cohort": session.cohort, "form": form},
    )


@login_required
@require_POST
def session_cancel_view(request, session_id: int):
    session = access_session(user=request.user, session_id=session_id, action=Action.RUN_COHORT)
    reported(
        request,
        lambda: session_cancel(
            session=session, actor=request.user, context=AuditContext.from_request(request)
        ),
        _("The session is cancelled; officers are told."),
    )
    return redirect("cohorts:sessions", cohort_id=session.cohort_id)


@login_required
def cohort_agencies(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, action=Action.RUN_COHORT)
    form = ParticipationForm(cohort=cohort)
    if request.method == "POST":
        if "participation" in request.POST:
            quota_form = QuotaForm(request.POST, cohort=cohort)
            if quota_form.is_valid():
                participation = quota_form.cleaned_data["participation"]
                try:
                    participation_set(
                        cohort=cohort,
                        agency=participation.agency,
                        actor=request.user,
                        seat_quota=quota_form.cleaned_data["seat_quota"],
                        role=quota_form.cleaned_data["role"],
                        context=AuditContext.from_request(request),
                    )
                except ValidationError as error:
                    messages.error(request, error_text(error))
                else:
                    messages.success(
                        request,
                        _("%(agency)s is updated.") % {"agency": participation.agency.name},
                    )
            else:
                messages.error(
                    request, " ".join(e for errors in quota_form.errors.values() for e in errors)
                )
            return redirect("cohorts:agencies", cohort_id=cohort.pk)
        form = ParticipationForm(request.POST, cohort=cohort)
        if form.is_valid():
            agency = form.cleaned_data["agency"]
            try:
                participation_set(
                    cohort=cohort,
                    agency=agency,
                    actor=request.user,
                    seat_quota=form.cleaned_data["seat_quota"],
                    role=form.cleaned_data["role"],
                    context=AuditContext.from_request(request),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("%(agency)s now takes part.") % {"agency": agency.name})
                return redirect("cohorts:agencies", cohort_id=cohort.pk)
    return render(
        request,
        "cohorts/agencies.html",
        {
            "cohort": cohort,
            "participations": list(cohort_participations(cohort=cohort)),
            "form": form,
            "roles": [
                (Participation.Role.PARTICIPANT, Participation.Role.PARTICIPANT.label),
                (Participation.Role.COHOST, Participation.Role.COHOST.label),
            ],
        },
    )


@login_required
@require_POST
def participation_remove_view(request, participation_id: int):
    participation = access_participation(user=request.user, participation_id=participation_id)
    reported(
        request,
        lambda: participation_remove(
            participation=participation,
            actor=request.user,
            context=AuditContext.from_request(request),
        ),
        _("%(agency)s no longer takes part.") % {"agency": participation.agency.name},
    )
    return redirect("cohorts:agencies", cohort_id=participation.cohort_id)


@login_required
@require_POST
def cohort_status(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, action=Action.RUN_COHORT)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("Choose a status."))
        return redirect("cohorts:detail", cohort_id=cohort.pk)
    reported(
        request,
        lambda: cohort_set_status(
            cohort=cohort,
            status=form.cleaned_data["status"],
            actor=request.user,
            context=AuditContext.from_request(request),
        ),
        lambda changed: (
            _("The cohort is now: %(status)s.") % {"status": changed.get_status_display()}
        ),
    )
    return redirect("cohorts:detail", cohort_id=cohort.pk)
