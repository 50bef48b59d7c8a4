"""Audit rows and agency placement driven by authentication signals."""

from allauth.account.signals import user_signed_up
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from accounts.models import AuditEvent
from accounts.services import audit_log, membership_assign_from_email


@receiver(user_signed_up)
def on_user_signed_up(sender, request, user, **kwargs) -> None:
    membership_assign_from_email(user=user, request=request)


@receiver(user_logged_in)
def on_user_logged_in(sender, request, user, **kwargs) -> None:
    audit_log(action="auth.login", actor=user, target=user, request=request)


@receiver(user_login_failed)
def on_user_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted login is recorded so lockouts can be investigated; never the password.
    audit_log(
        action="auth.login_failed",
        outcome=AuditEvent.Outcome.FAILURE,
        details={"login": str(credentials.get("email") or credentials.get("username") or "")[:254]},
        request=request,
    )
