"""Audit rows and agency placement driven by authentication signals."""

from allauth.account.signals import user_signed_up
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.adapters import INVITATION_SESSION_KEY
from accounts.middleware import session_touch
from accounts.models import AuditEvent
from accounts.selectors import invitation_by_token
from accounts.services import audit_log, invitation_accept, membership_assign_from_email
from core.audit import AuditContext


@receiver(user_signed_up)
def on_user_signed_up(sender, request, user, **kwargs) -> None:
    token = request.session.pop(INVITATION_SESSION_KEY, None) if request is not None else None
    invitation = invitation_by_token(token=token) if token else None
    context = AuditContext.from_request(request)
    if invitation is not None and invitation.email == user.email.lower():
        audit_log(action="account.signup", actor=user, target=user, context=context)
        invitation_accept(invitation=invitation, user=user, context=context)
    else:
        membership_assign_from_email(user=user, context=context)


@receiver(authenticator_added)
def on_mfa_added(sender, request, user, authenticator, **kwargs) -> None:
    audit_log(
        action="mfa.add",
        actor=user,
        target=user,
        details={"type": authenticator.type},
        context=AuditContext.from_request(request),
    )


@receiver(authenticator_removed)
def on_mfa_removed(sender, request, user, authenticator, **kwargs) -> None:
    audit_log(
        action="mfa.remove",
        actor=user,
        target=user,
        details={"type": authenticator.type},
        context=AuditContext.from_request(request),
    )


@receiver(authenticator_reset)
def on_mfa_reset(sender, request, user, authenticator, **kwargs) -> None:
    audit_log(
        action="mfa.reset",
        actor=user,
        target=user,
        details={"type": authenticator.type},
        context=AuditContext.from_request(request),
    )


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    audit_log(
        action="auth.locked_out",
        outcome=AuditEvent.Outcome.FAILURE,
        details={"login": str(username or "")[:254]},
        context=AuditContext.from_request(request),
    )


@receiver(user_logged_in)
def on_user_logged_in(sender, request, user, **kwargs) -> None:
    # Signing in is activity: the idle clock starts now, and the next minute of page views
    # need not write the session again (IdleSessionMiddleware).
    if request is not None and hasattr(request, "session"):
        session_touch(request.session)
    audit_log(
        action="auth.login", actor=user, target=user, context=AuditContext.from_request(request)
    )


@receiver(user_login_failed)
def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted login is recorded so lockouts can be investigated; never the password.
    audit_log(
        action="auth.login_failed",
        outcome=AuditEvent.Outcome.FAILURE,
        details={"login": str(credentials.get("email") or credentials.get("username") or "")[:254]},
        context=AuditContext.from_request(request),
    )
