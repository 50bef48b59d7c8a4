"""Per-request middleware: sessions that idle out, the viewer's time zone, and no caching of
signed-in pages."""

import time
import zoneinfo
from functools import wraps

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject

from accounts.permissions import requires_mfa
from accounts.selectors import primary_membership
from accounts.viewer import has_mfa_authenticator, reads_close, reads_open


def keeps_session_idle(view):
    """For views that devices call by themselves (the projector's polling): a request there
    must not count as the signed-in person being active, so it neither saves the session nor
    pushes its expiry forward."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.keeps_session_idle = True
        return view(request, *args, **kwargs)

    return wrapped


# When a request last pushed the session's idle expiry forward (seconds since the epoch).
SESSION_TOUCHED_KEY = "_touched"


def session_touch(session) -> None:
    """Mark the session as active now: saved at the end of the request with a new expiry."""
    session[SESSION_TOUCHED_KEY] = int(time.time())


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware, with the idle timeout slid forward at most once per
    SESSION_TOUCH_SECONDS instead of on every request, so a page view does not write the
    session (SESSION_SAVE_EVERY_REQUEST is off). A session therefore ends between
    SESSION_COOKIE_AGE - SESSION_TOUCH_SECONDS and SESSION_COOKIE_AGE after the last request
    (29 to 30 minutes), never later. Views marked with keeps_session_idle never touch it."""

    def process_response(self, request, response):
        if getattr(request, "keeps_session_idle", False):
            return response
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            touched = session.get(SESSION_TOUCHED_KEY, 0)
            if int(time.time()) - touched >= settings.SESSION_TOUCH_SECONDS:
                session_touch(session)
        return super().process_response(request, response)


class ViewerMiddleware:
    """Opens the request's one read of the viewer's memberships (accounts.viewer): after
    AuthenticationMiddleware, before anything that asks about roles."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Every request goes on to read the viewer (language, time zone, MFA, roles): read them
        # now, and keep the user itself rather than AuthenticationMiddleware's lazy proxy,
        # which each later `request.user.<attribute>` would go through.
        user = getattr(request, "user", None)
        if isinstance(user, SimpleLazyObject):
            user.is_authenticated  # noqa: B018 - reads the session and the user once
            request.user = user._wrapped
        token = reads_open()
        try:
            return self.get_response(request)
        finally:
            reads_close(token)


class ViewerTimezoneMiddleware:
    """Show times in the viewer's zone: their own setting, else their agency's, else UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            zone_name = user.time_zone
            if not zone_name:
                membership = primary_membership(user=user)
                zone_name = membership.agency.time_zone if membership and membership.agency else ""
        if zone_name:
            timezone.activate(zoneinfo.ZoneInfo(zone_name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class NoStoreForSignedInMiddleware:
    """Signed-in pages hold personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's on every device."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class MfaRequiredMiddleware:
    """People who must use MFA are sent to set it up before they can do anything else."""

    ALLOWED_PREFIXES = (
        "/accounts/",
        "/static/",
        "/i18n/",
        "/healthz",
        "/readyz",
        "/verify/",
        "/media/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and requires_mfa(user)
            and not has_mfa_authenticator(user)
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
