"""Erasure of a person by programme staff: their personal data replaced and their sign-in
removed, their learning and audit records kept."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_log
from accounts.models import User
from accounts.signals import user_erased
from core.audit import AuditContext


@transaction.atomic
def user_erase(*, user: User, actor: User, context: AuditContext | None = None) -> User:
    """Pseudonymise a person: their name and email go, their training records and
    certificate serials stay (a legal duty to keep them)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = _("Erased person #%(id)s") % {"id": user.pk}
    user.display_name = ""
    user.time_zone = ""
    user.is_active = False
    user.erased_at = timezone.now()
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.filter(user=user).delete()
    audit_log(action="account.erase", actor=actor, target=user, context=context)
    user_erased.send(sender=User, user=user)
    return user
