"""Per-request middleware: sessions that idle out, the viewer's time zone, and no caching of
signed-in pages."""

import zoneinfo
from functools import wraps

from allauth.mfa.models import Authenticator
from django.contrib.sessions.middleware import SessionMiddleware
from django.shortcuts import redirect
from django.utils import timezone, translation

from accounts.permissions import requires_mfa
from accounts.selectors import primary_membership


def keeps_session_idle(view):
    """For views that devices call by themselves (the projector's polling): a request there
    must not count as the signed-in person being active, so it neither saves the session nor
    pushes its expiry forward."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.keeps_session_idle = True
        return view(request, *args, **kwargs)

    return wrapped


class IdleSessionMiddleware(SessionMiddleware):
    """Django's session middleware (SESSION_SAVE_EVERY_REQUEST: each request extends the idle
    timeout), except for views marked with keeps_session_idle."""

    def process_response(self, request, response):
        if getattr(request, "keeps_session_idle", False):
            return response
        return super().process_response(request, response)


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
            and not Authenticator.objects.filter(
                user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
            ).exists()
        ):
            return redirect("mfa_activate_totp")
        return self.get_response(request)
