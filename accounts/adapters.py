"""allauth adapters: signup tied to agencies and invitations; TOTP secrets encrypted at rest."""

import base64
import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.selectors import agency_for_email, invitation_by_token
from core.clientip import client_ip

INVITATION_SESSION_KEY = "invitation_token"


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        """At signup, only agency addresses, or the address an invitation was sent to.
        (allauth also cleans emails for password reset and adding an address; those are
        left alone.)"""
        email = super().clean_email(email)
        match = getattr(self.request, "resolver_match", None)
        if match is None or match.url_name != "account_signup":
            return email
        if agency_for_email(email=email) is not None:
            return email
        token = self.request.session.get(INVITATION_SESSION_KEY) if self.request else None
        invitation = invitation_by_token(token=token) if token else None
        if invitation is not None and invitation.email == email.strip().lower():
            return email
        raise ValidationError(
            _(
                "Sign up with your official agency email address, or open the invitation "
                "link your agency sent you."
            )
        )

    def get_client_ip(self, request) -> str:
        """allauth's per-address rate limits count the client behind the trusted proxies."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address")
        return ip

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.full_name = form.cleaned_data.get("full_name", "").strip()
        if commit:
            user.save()
        return user


def _fernet() -> Fernet:
    secret = settings.MFA_ENCRYPTION_KEY or settings.SECRET_KEY
    key = hashlib.sha256(b"mfa-secrets:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets are stored encrypted (Fernet, key from MFA_ENCRYPTION_KEY or SECRET_KEY)."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()
