"""Calendar pages: a person's private feed (explained, issued, revoked), the feed itself for
calendar apps, and one cohort's sessions as an .ics download."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts.permissions import Action
from cohorts.access import access_cohort
from cohorts.calendar import (
    REQUEST,
    calendar_feed,
    calendar_for_cohort,
    calendar_for_seat,
    feed_for_token,
    feed_of,
)
from cohorts.selectors.cohorts import calendar_seats
from cohorts.selectors.schedule import own_seat
from cohorts.services.calendar import (
    calendar_feed_issue,
    calendar_feed_revoke,
    calendar_feed_touch,
)
from core.audit import AuditContext

ICS_TYPE = "text/calendar; charset=utf-8"


def _ics_response(body: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_GET
def calendar(request):
    return render(request, "cohorts/calendar/feed.html", {"feed": feed_of(user=request.user)})


@login_required
@require_POST
def calendar_issue(request):
    token = calendar_feed_issue(user=request.user, context=AuditContext.from_request(request))
    feed_url = settings.SITE_URL + reverse("cohorts:feed", kwargs={"token": token})
    messages.success(
        request, _("Your calendar feed address is ready. Copy it now: it is shown only once.")
    )
    # Rendered, not redirected: only the token's hash is kept, so this page is the one
    # chance to see the address.
    return render(
        request,
        "cohorts/calendar/feed.html",
        {"feed": feed_of(user=request.user), "feed_url": feed_url},
    )


@login_required
@require_POST
def calendar_revoke(request):
    if calendar_feed_revoke(user=request.user, context=AuditContext.from_request(request)):
        messages.success(
            request, _("Your calendar feed is switched off; its address no longer works.")
        )
    return redirect("cohorts:calendar")


@require_safe
def feed(request, token: str):
    """The private feed a calendar app subscribes to: no sign-in, the secret token is the
    key. Unknown and revoked tokens are 404 alike."""
    found = feed_for_token(token)
    if found is None:
        raise Http404
    user = found.user
    calendar_feed_touch(feed=found, context=AuditContext.from_request(request))
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = calendar_feed(seats=calendar_seats(user=user))
    return _ics_response(body, filename="crypto-crime-training.ics", attachment=False)


@login_required
def cohort_ics(request, cohort_id: int):
    """One cohort's sessions: an officer's own (with their seat's status), or the whole
    schedule for those who run it. The access check comes before the method check, so the
    URL answers 404 alike to everyone without the right."""
    cohort = access_cohort(
        user=request.user, cohort_id=cohort_id, action={Action.ATTEND_COHORT, Action.RUN_COHORT}
    )
    actions = cohort.actions
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    filename = f"cohort-{cohort.pk}.ics"
    seat = None
    if Action.ATTEND_COHORT in actions:
        seat = own_seat(cohort=cohort, user=request.user)
    if seat is not None:
        body = calendar_for_seat(seat=seat, method=REQUEST)
    else:
        body = calendar_for_cohort(cohort=cohort)
    return _ics_response(body, filename=filename, attachment=True)
