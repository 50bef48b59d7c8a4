"""Nominations and seats: agency admins nominate officers, hosts approve or decline, officers
claim and leave seats, trainers add walk-ins. Views parse input, call one service or
selector and render; every POST redirects."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import Action
from cohorts.access import (
    access_cohort,
    access_seat,
    nominating_agencies,
    nominating_agency_ids,
)
from cohorts.forms.seats import DeclineForm, NominateForm, SearchForm, WalkInForm
from cohorts.models import Cohort, Seat
from cohorts.selectors.cohorts import walk_in_candidates
from cohorts.selectors.schedule import (
    SEAT_GROUPS,
    nomination_candidates,
    participations_of,
    seat_group_counts,
    seat_holder_by_email,
    seats_for_host,
    walk_ins,
)
from cohorts.services.seats import (
    seat_add_walk_in,
    seat_approve,
    seat_claim,
    seat_decline,
    seat_withdraw,
    seats_nominate,
)
from cohorts.views.outcome import error_text, reported
from core.audit import AuditContext

NOMINATE_PAGE_SIZE = 50
SEATS_PAGE_SIZE = 100

GROUP_LABELS = {
    "awaiting": gettext_lazy("Awaiting a decision"),
    "confirmed": gettext_lazy("Confirmed"),
    "offered": gettext_lazy("Offered from the waiting list"),
    "waitlist": gettext_lazy("Waiting list"),
    "others": gettext_lazy("Declined, withdrawn, expired or cancelled"),
}


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


@login_required
def cohort_nominate(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, action=Action.NOMINATE_OFFICERS)
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
    """Nominate the chosen officers and report per officer."""
    result = seats_nominate(
        cohort=cohort,
        membership_ids=membership_ids,
        agency_ids=agency_ids,
        actor=request.user,
        context=AuditContext.from_request(request),
    )
    for name, reason in result.refused:
        messages.error(
            request,
            _("%(name)s was not nominated: %(reason)s") % {"name": name, "reason": reason},
        )
    done = result.nominated
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
    refused = result.not_eligible
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


class _CountedPaginator(Paginator):
    """A paginator told how many objects there are (the page already counted them), so it
    does not count them again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count  # Paginator.count is a cached property: this is its value


@login_required
def cohort_seats(request, cohort_id: int):
    """The host's (or an agency admin's own agency's) seats, grouped, the waiting list in
    order."""
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, action=Action.VIEW_COHORT)
    actions = cohort.actions
    if Action.DECIDE_NOMINATIONS in actions:
        agency_ids = None
    elif Action.NOMINATE_OFFICERS in actions:
        agency_ids = nominating_agencies(user=request.user, cohort=cohort)
    else:
        raise Http404
    counts = seat_group_counts(cohort=cohort, agency_ids=agency_ids)
    page = _CountedPaginator(
        seats_for_host(cohort=cohort, agency_ids=agency_ids),
        SEATS_PAGE_SIZE,
        count=sum(counts.values()),
    ).get_page(request.GET.get("page"))
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
            "rights": {str(action) for action in actions},
            "can_decide": Action.DECIDE_NOMINATIONS in actions,
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
    seat = access_seat(user=request.user, seat_id=seat_id, action=Action.DECIDE_NOMINATIONS)
    name = seat.user.get_short_name()
    try:
        seat = seat_approve(
            seat=seat, actor=request.user, context=AuditContext.from_request(request)
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
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
    seat = access_seat(user=request.user, seat_id=seat_id, action=Action.DECIDE_NOMINATIONS)
    form = DeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    reported(
        request,
        lambda: seat_decline(
            seat=seat, actor=request.user, reason=reason, context=AuditContext.from_request(request)
        ),
        _("%(name)s's nomination is declined.") % {"name": seat.user.get_short_name()},
    )
    return redirect(_seats_url(request, seat))


def _seat_for_withdraw(user, seat_id: int) -> tuple[Seat, Action]:
    """The host, the officer's agency admin, or the officer themselves may withdraw a seat."""
    for action in (Action.DECIDE_NOMINATIONS, Action.NOMINATE_OFFICERS, Action.ATTEND_COHORT):
        try:
            return access_seat(user=user, seat_id=seat_id, action=action), action
        except Http404:
            continue
    raise Http404


@login_required
@require_POST
def seat_withdraw_view(request, seat_id: int):
    seat, action = _seat_for_withdraw(request.user, seat_id)
    try:
        seat_withdraw(seat=seat, actor=request.user, context=AuditContext.from_request(request))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        if action == Action.ATTEND_COHORT:
            messages.success(request, _("You have given up your seat."))
        else:
            messages.success(
                request, _("%(name)s is withdrawn.") % {"name": seat.user.get_short_name()}
            )
    if action == Action.ATTEND_COHORT:
        return redirect(_safe_next(request, reverse("cohorts:list")))
    return redirect(_seats_url(request, seat))


@login_required
@require_POST
def seat_claim_view(request, seat_id: int):
    seat = access_seat(user=request.user, seat_id=seat_id, action=Action.ATTEND_COHORT)
    reported(
        request,
        lambda: seat_claim(
            seat=seat, actor=request.user, context=AuditContext.from_request(request)
        ),
        _("The seat is yours: %(cohort)s.") % {"cohort": seat.cohort.title},
    )
    return redirect(_safe_next(request, reverse("cohorts:list")))


@login_required
@require_POST
def seat_leave(request, seat_id: int):
    """The officer declines their place (nomination, waiting list, offer or seat)."""
    seat = access_seat(user=request.user, seat_id=seat_id, action=Action.ATTEND_COHORT)
    reported(
        request,
        lambda: seat_withdraw(
            seat=seat, actor=request.user, context=AuditContext.from_request(request)
        ),
        _("You have declined your place in %(cohort)s.") % {"cohort": seat.cohort.title},
    )
    return redirect(_safe_next(request, reverse("cohorts:list")))


@login_required
def cohort_walk_in(request, cohort_id: int):
    cohort = access_cohort(user=request.user, cohort_id=cohort_id, action=Action.RUN_COHORT)
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
                    cohort=cohort,
                    user=membership.user,
                    actor=request.user,
                    context=AuditContext.from_request(request),
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
