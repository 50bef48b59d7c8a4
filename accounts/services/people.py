"""A person's own account: placement in an agency at signup (by email domain), the
interface language, and the profile (the names others see, their time zone)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import audit_log
from accounts.models import Membership, User
from accounts.selectors import agency_for_email
from core.audit import AuditContext


@transaction.atomic
def membership_assign_from_email(
    *, user: User, context: AuditContext | None = None
) -> Membership | None:
    """Put a newly signed-up user into the agency that owns their email domain, as an officer."""
    agency = agency_for_email(email=user.email)
    if agency is None:
        audit_log(action="account.signup", actor=user, target=user, context=context)
        return None
    membership, _created = Membership.objects.get_or_create(
        user=user,
        agency=agency,
        role=Membership.Role.OFFICER,
        defaults={"status": Membership.Status.PENDING},
    )
    audit_log(
        action="account.signup",
        actor=user,
        target=user,
        agency=agency,
        details={"membership_id": membership.pk, "role": membership.role},
        context=context,
    )
    return membership


@transaction.atomic
def user_set_language(*, user: User, language: str, context: AuditContext | None = None) -> User:
    """Remember the interface language a signed-in user chose."""
    if user.language != language:
        old = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit_log(
            action="account.language",
            actor=user,
            target=user,
            details={"from": old, "to": language},
            context=context,
        )
    return user


PROFILE_FIELDS = ("full_name", "display_name", "time_zone")


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    full_name: str,
    display_name: str,
    time_zone: str,
    context: AuditContext | None = None,
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
        context=context,
    )
    return user
