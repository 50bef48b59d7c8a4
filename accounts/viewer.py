"""The signed-in person's memberships, read once per request.

The middleware (time zone, MFA), the navigation's roles, the permission checks and the
views all ask about the same person's memberships. Inside a request (accounts.middleware.ViewerMiddleware)
the first ask loads them in one query, with each membership's agency and whether the person
has an MFA authenticator, and later asks reuse that read. Outside a request (tasks,
commands, tests calling services) every ask reads the database, as before.

Nothing is kept from one request to the next: a role granted, a membership rejected or an
officer's vetting lapsing takes effect on the very next request. Inside a request, saving
or deleting a membership or an authenticator forgets that person's read (signals below),
so a view that changes them and reads them again sees the change.
"""

from contextvars import ContextVar

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Membership, User

# Authenticators that satisfy "must use MFA" (recovery codes alone do not).
MFA_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# user id -> that user's memberships, for the request being served; None outside requests.
_reads: ContextVar[dict[int, list[Membership]] | None] = ContextVar("viewer_reads", default=None)


def _load(user: User) -> list[Membership]:
    """Every membership of the user, oldest first, with its agency, each annotated with
    `user_has_mfa` (the same for all: whether the user has a TOTP or WebAuthn authenticator)."""
    has_mfa = Authenticator.objects.filter(user_id=OuterRef("user_id"), type__in=MFA_TYPES)
    return list(
        Membership.objects.select_related("agency")
        .filter(user=user)
        .annotate(user_has_mfa=Exists(has_mfa))
        .order_by("created_at", "id")
    )


def memberships_of(user: User) -> list[Membership]:
    """All the user's memberships (any status), oldest first, with their agencies: read once
    per request, then reused. Callers filter; they must not change the list."""
    reads = _reads.get()
    if reads is None:
        return _load(user)
    if user.pk not in reads:
        reads[user.pk] = _load(user)
    return reads[user.pk]


def has_mfa_authenticator(user: User) -> bool:
    """Whether the user has a TOTP or WebAuthn authenticator (from the membership read when
    there is one: no query of its own)."""
    memberships = memberships_of(user)
    if memberships:
        return memberships[0].user_has_mfa
    return Authenticator.objects.filter(user=user, type__in=MFA_TYPES).exists()


def forget(user_id: int | None) -> None:
    reads = _reads.get()
    if reads is not None and user_id is not None:
        reads.pop(user_id, None)


def reads_open():
    """Start a request's reads (accounts.middleware.ViewerMiddleware); returns the token
    reads_close() needs."""
    return _reads.set({})


def reads_close(token) -> None:
    _reads.reset(token)


@receiver(post_save, sender=Membership, dispatch_uid="viewer_forget_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="viewer_forget_membership_deleted")
@receiver(post_save, sender=Authenticator, dispatch_uid="viewer_forget_authenticator_saved")
@receiver(post_delete, sender=Authenticator, dispatch_uid="viewer_forget_authenticator_deleted")
def _forget_on_change(sender, instance, **kwargs) -> None:
    forget(instance.user_id)
