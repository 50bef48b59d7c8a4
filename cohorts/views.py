"""Scheduling and seats: the pages trainers, agency admins and officers use for in-person
cohorts. Views parse input, call one service or selector and render; every POST redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import Action, agencies_for
from cohorts.access import (
    Right,
    access_cohort,
    access_seat,
    access_session,
    eligible_officer_memberships,
    may_schedule,
    nominating_agency_ids,
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
from cohorts.forms.seats import DeclineForm, NominateForm, SearchForm, WalkInForm
from cohorts.models import Cohort, Participation, Seat
from cohorts.selectors.cohorts import (
    cohort_participations,
    cohort_sessions,
    cohorts_for_agencies,
    cohorts_run_by,
    seats_of_user,
    walk_in_candidates,
)
from cohorts.selectors.schedule import (
    SEAT_GROUPS,
    nomination_candidates,
    own_seat,
    participations_of,
    schedule_reference_date,
    seat_group_counts,
    seat_holder_by_email,
    seats_for_host,
    trainer_options,
    upcoming_sessions,
    walk_ins,
)
from cohorts.services.schedule import (
    TRANSITIONS,
    cohort_create,
    cohort_set_status,
    cohort_update,
    participation_remove,
    participation_set,
    session_cancel,
    session_save,
)
from cohorts.services.seats import (
    seat_add_walk_in,
    seat_approve,
    seat_claim,
    seat_decline,
    seat_nominate,
    seat_withdraw,
)

LIST_PAGE_SIZE = 50
NOMINATE_PAGE_SIZE = 50
SEATS_PAGE_SIZE = 100

GROUP_LABELS = {
    "awaiting": gettext_lazy("Awaiting a decision"),
    "confirmed": gettext_lazy("Confirmed"),
    "offered": gettext_lazy("Offered from the waiting list"),
    "waitlist": gettext_lazy("Waiting list"),
    "others": gettext_lazy("Declined, withdrawn, expired or cancelled"),
}
# The order status buttons appear in.
STATUS_ORDER = [
    Cohort.Status.OPEN,
    Cohort.Status.RUNNING,
    Cohort.Status.CLOSED,
    Cohort.Status.DRAFT,
    Cohort.Status.CANCELLED,
]


def _text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _page_param(request) -> str:
    page = request.POST.get("page", "")
    return page if page.isdigit() else ""


def _with_page(url: str, page: str) -> str:
    return f"{url}?{urlencode({'page': page})}" if page else url


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


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
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, right=Right.VIEW)
    rights = cohort.rights
    context = {
        "cohort": cohort,
        "rights": {str(right) for right in rights},
        "sessions": list(cohort_sessions(cohort=cohort)),
        "trainers": list(cohort.trainers.order_by("full_name", "pk")),
        "participations": list(cohort_participations(cohort=cohort)),
        "prerequisites": list(cohort.prerequisite_modules.order_by("order")),
        "deadline_passed": cohort.nomination_deadline < timezone.now(),
    }
    if Right.RUN in rights:
        allowed = TRANSITIONS[cohort.status]
        if Cohort.Status.DRAFT in allowed and cohort.seats.exists():
            allowed = allowed - {Cohort.Status.DRAFT}
        context["status_actions"] = [
            (status, STATUS_ACTIONS[status]) for status in STATUS_ORDER if status in allowed
        ]
    if Right.NOMINATE in rights and not request.user.is_staff:
        context["own_participations"] = list(
            participations_of(
                cohort=cohort, agency_ids=nominating_agency_ids(user=request.user, cohort=cohort)
            )
        )
    if Right.ATTEND in rights:
        context["my_seat"] = own_seat(cohort=cohort, user=request.user)
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
            cohort = cohort_create(actor=request.user, request=request, **form.service_kwargs())
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
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, right=Right.RUN)
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
                request=request,
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
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, right=Right.RUN)
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
            request=request,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return False
    return True


@login_required
def session_edit(request, session_id: int):
    session = access_session(user=request.user, session_id=session_id, right=Right.RUN)
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
    session = access_session(user=request.user, session_id=session_id, right=Right.RUN)
    try:
        session_cancel(session=session, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _text(error))
    else:
        messages.success(request, _("The session is cancelled; officers are told."))
    return redirect("cohorts:sessions", cohort_id=session.cohort_id)


@login_required
def cohort_agencies(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, right=Right.RUN)
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
                        request=request,
                    )
                except ValidationError as error:
                    messages.error(request, _text(error))
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
                    request=request,
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
    participation = get_object_or_404(
        Participation.objects.select_related("agency"), pk=participation_id
    )
    cohort = access_cohort(user=request.user, cohort_id=participation.cohort_id, right=Right.RUN)
    try:
        participation_remove(participation=participation, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _text(error))
    else:
        messages.success(
            request,
            _("%(agency)s no longer takes part.") % {"agency": participation.agency.name},
        )
    return redirect("cohorts:agencies", cohort_id=cohort.pk)


@login_required
@require_POST
def cohort_status(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, right=Right.RUN)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("Choose a status."))
        return redirect("cohorts:detail", cohort_id=cohort.pk)
    try:
        cohort = cohort_set_status(
            cohort=cohort, status=form.cleaned_data["status"], actor=request.user, request=request
        )
    except ValidationError as error:
        messages.error(request, _text(error))
    else:
        messages.success(
            request,
            _("The cohort is now: %(status)s.") % {"status": cohort.get_status_display()},
        )
    return redirect("cohorts:detail", cohort_id=cohort.pk)


# --- Nominations and seats ----------------------------------------------------------------


@login_required
def cohort_nominate(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, right=Right.NOMINATE)
    agency_ids = nominating_agency_ids(user=request.user, cohort=cohort)
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    if request.method == "POST":
        form = NominateForm(request.POST)
        target = reverse("cohorts:nominate", kwargs={"cohort_id": cohort.pk})
        back = request.POST.get("q", "")[:100]
        if back:
            target += "?" + urlencode({"q": back})
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["officers"]))
            return redirect(target)
        _nominate_each(request, cohort, agency_ids, form.cleaned_data["officers"])
        return redirect(target)
    page = Paginator(
        nomination_candidates(cohort=cohort, agency_ids=agency_ids, search=query),
        NOMINATE_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "cohorts/nominate.html",
        {
            "cohort": cohort,
            "search": search,
            "query": query,
            "page": page,
            "participations": list(participations_of(cohort=cohort, agency_ids=agency_ids)),
            "deadline_passed": cohort.nomination_deadline < timezone.now(),
        },
    )


def _nominate_each(request, cohort: Cohort, agency_ids, membership_ids: list[int]) -> None:
    """Nominate each chosen officer (each in its own transaction) and report per officer."""
    memberships = {
        m.pk: m
        for m in eligible_officer_memberships(agency_ids=agency_ids).filter(pk__in=membership_ids)
    }
    done = []
    for membership_id in membership_ids:
        membership = memberships.get(membership_id)
        if membership is None:
            continue
        name = membership.user.get_short_name()
        try:
            seat_nominate(
                cohort=cohort,
                user=membership.user,
                agency=membership.agency,
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            messages.error(
                request,
                _("%(name)s was not nominated: %(reason)s")
                % {"name": name, "reason": _text(error)},
            )
        else:
            done.append(name)
    if done:
        messages.success(
            request,
            ngettext(
                "Nominated %(count)s officer: %(names)s.",
                "Nominated %(count)s officers: %(names)s.",
                len(done),
            )
            % {"count": len(done), "names": ", ".join(done)},
        )
    refused = len([pk for pk in membership_ids if pk not in memberships])
    if refused:
        messages.error(
            request,
            ngettext(
                "%(count)s officer was not nominated: only approved officers of your agencies "
                "can be.",
                "%(count)s officers were not nominated: only approved officers of your agencies "
                "can be.",
                refused,
            )
            % {"count": refused},
        )


@login_required
def cohort_seats(request, cohort_id: int):
    """The host's (or an agency admin's own agency's) seats, grouped, the waiting list in
    order."""
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, right=Right.VIEW)
    rights = cohort.rights
    if Right.DECIDE in rights:
        agency_ids = None
    elif Right.NOMINATE in rights:
        agency_ids = nominating_agency_ids(user=request.user, cohort=cohort)
    else:
        raise Http404
    page = Paginator(
        seats_for_host(cohort=cohort, agency_ids=agency_ids), SEATS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    counts = seat_group_counts(cohort=cohort, agency_ids=agency_ids)
    on_page: dict[str, list[Seat]] = {name: [] for name, _statuses in SEAT_GROUPS}
    for seat in page.object_list:
        on_page[SEAT_GROUPS[seat.group_rank][0]].append(seat)
    groups = [
        {"name": name, "label": GROUP_LABELS[name], "seats": on_page[name], "total": counts[name]}
        for name, _statuses in SEAT_GROUPS
    ]
    return render(
        request,
        "cohorts/seats.html",
        {
            "cohort": cohort,
            "rights": {str(right) for right in rights},
            "can_decide": Right.DECIDE in rights,
            "page": page,
            "groups": groups,
            "decline_form": DeclineForm(),
        },
    )


def _seats_url(request, seat: Seat) -> str:
    return _with_page(
        reverse("cohorts:seats", kwargs={"cohort_id": seat.cohort_id}), _page_param(request)
    )


@login_required
@require_POST
def seat_approve_view(request, seat_id: int):
    seat = access_seat(user=request.user, seat_id=seat_id, right=Right.DECIDE)
    name = seat.user.get_short_name()
    try:
        seat = seat_approve(seat=seat, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _text(error))
    else:
        if seat.status == Seat.Status.WAITLISTED:
            messages.warning(
                request,
                _("No seat is free (room or agency quota): %(name)s is on the waiting list.")
                % {"name": name},
            )
        else:
            messages.success(request, _("%(name)s has a seat.") % {"name": name})
    return redirect(_seats_url(request, seat))


@login_required
@require_POST
def seat_decline_view(request, seat_id: int):
    seat = access_seat(user=request.user, seat_id=seat_id, right=Right.DECIDE)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        seat_decline(seat=seat, actor=request.user, reason=reason, request=request)
    except ValidationError as error:
        messages.error(request, _text(error))
    else:
        messages.success(
            request, _("%(name)s's nomination is declined.") % {"name": seat.user.get_short_name()}
        )
    return redirect(_seats_url(request, seat))


def _seat_for_withdraw(user, seat_id: int) -> tuple[Seat, Right]:
    """The host, the officer's agency admin, or the officer themselves may withdraw a seat."""
    for right in (Right.DECIDE, Right.NOMINATE, Right.ATTEND):
        try:
            return access_seat(user=user, seat_id=seat_id, right=right), right
        except Http404:
            continue
    raise Http404


@login_required
@require_POST
def seat_withdraw_view(request, seat_id: int):
    seat, right = _seat_for_withdraw(request.user, seat_id)
    try:
        seat_withdraw(seat=seat, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _text(error))
    else:
        if right == Right.ATTEND:
            messages.success(request, _("You have given up your seat."))
        else:
            messages.success(
                request, _("%(name)s is withdrawn.") % {"name": seat.user.get_short_name()}
            )
    if right == Right.ATTEND:
        return redirect(_safe_next(request, reverse("cohorts:list")))
    return redirect(_seats_url(request, seat))


@login_required
@require_POST
def seat_claim_view(request, seat_id: int):
    seat = access_seat(user=request.user, seat_id=seat_id, right=Right.ATTEND)
    try:
        seat_claim(seat=seat, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _text(error))
    else:
        messages.success(
            request, _("The seat is yours: %(cohort)s.") % {"cohort": seat.cohort.title}
        )
    return redirect(_safe_next(request, reverse("cohorts:list")))


@login_required
@require_POST
def seat_leave(request, seat_id: int):
    """The officer declines their place (nomination, waiting list, offer or seat)."""
    seat = access_seat(user=request.user, seat_id=seat_id, right=Right.ATTEND)
    try:
        seat_withdraw(seat=seat, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, _text(error))
    else:
        messages.success(
            request,
            _("You have declined your place in %(cohort)s.") % {"cohort": seat.cohort.title},
        )
    return redirect(_safe_next(request, reverse("cohorts:list")))


@login_required
def cohort_walk_in(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, right=Right.RUN)
    form = WalkInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        membership = walk_in_candidates(cohort=cohort, email=email).first()
        if membership is None:
            if seat_holder_by_email(cohort=cohort, email=email) is not None:
                form.add_error("email", _("This officer already has a seat in this cohort."))
            else:
                # The same answer for an unknown email and for someone out of scope (another
                # agency, not vetted): the page must not tell whether an address exists.
                form.add_error(
                    "email",
                    _(
                        "No approved officer with current vetting, of an agency taking part in "
                        "this cohort, has this email address. Check the spelling, or ask their "
                        "agency admin."
                    ),
                )
        else:
            try:
                seat_add_walk_in(
                    cohort=cohort, user=membership.user, actor=request.user, request=request
                )
            except ValidationError as error:
                form.add_error("email", error.messages)
            else:
                messages.success(
                    request,
                    _("%(name)s (%(agency)s) is added as a walk-in.")
                    % {"name": membership.user.get_short_name(), "agency": membership.agency.name},
                )
                return redirect("cohorts:walk_in", cohort_id=cohort.pk)
    return render(
        request,
        "cohorts/walk_in.html",
        {"cohort": cohort, "form": form, "walk_ins": list(walk_ins(cohort=cohort))},
    )
