"""A person's own profile (the names others see, their time zone) and who may erase whom.

The data export reads every app, so it lives in reports.privacy; erasure itself is
accounts.services.user_erase.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.audit import audit_log
from accounts.models import User

PROFILE_FIELDS = ("full_name", "display_name", "time_zone")


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    full_name: str,
    display_name: str,
    time_zone: str,
    request: HttpRequest | None = None,
) -> User:
    """Change the names and time zone a person gave; the audit row lists which fields
    changed, never their values (they are personal data)."""
    wanted = {
        "full_name": full_name.strip(),
        "display_name": display_name.strip(),
        "time_zone": time_zone.strip(),
    }
    # Validate before touching the instance: it is often request.user, which must not be
    # left half-changed when a value is refused.
    errors: dict[str, list] = {}
    for name, value in wanted.items():
        try:
            wanted[name] = User._meta.get_field(name).clean(value, user)
        except ValidationError as exc:
            errors[name] = exc.error_list
    if errors:
        raise ValidationError(errors)
    changed = [name for name in PROFILE_FIELDS if getattr(user, name) != wanted[name]]
    if not changed:
        return user
    for name in changed:
        setattr(user, name, wanted[name])
    user.save(update_fields=changed)
    audit_log(
        action="account.profile",
        actor=user,
        target=user,
        details={"fields": changed},
        request=request,
    )
    return user


def access_person_for_erasure(*, user, user_id: int) -> User:
    """A person programme staff may erase: anyone but themselves. Everyone else gets 404."""
    if not (user.is_authenticated and user.is_active and user.is_staff) or user.pk == user_id:
        raise Http404
    return get_object_or_404(
        User.objects.prefetch_related("memberships__agency").order_by(), pk=user_id
    )
