"""Account pages beyond allauth's: the remembered language switch and invitation links.

Feature pages live in modules of this package: vetting.py (agency admins' actions and
imports), audit.py (audit search and export), privacy.py (profile and erasure; the data
export is reports.views.personal_data).
"""

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.adapters import INVITATION_SESSION_KEY
from accounts.selectors import invitation_by_token
from accounts.services import invitation_accept, user_set_language
from core.audit import AuditContext


@require_POST
def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(
            user=request.user, language=language, context=AuditContext.from_request(request)
        )
    return response


def invitation(request, token: str):
    """An invitation link: remember it for signup, or accept it for the signed-in invitee."""
    found = invitation_by_token(token=token)
    if found is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.user.email.lower() == found.email:
            if request.method == "POST":
                invitation_accept(
                    invitation=found, user=request.user, context=AuditContext.from_request(request)
                )
                return redirect("certificates:dashboard")
            return render(
                request, "accounts/invitation.html", {"invitation": found, "accept": True}
            )
        logout(request)
    request.session[INVITATION_SESSION_KEY] = token
    return render(request, "accounts/invitation.html", {"invitation": found, "accept": False})
