"""Mail to people about their account (vetting decisions, invitations), built from the
database by the worker: the outbox row carries ids only, never an address or a name."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Invitation, Membership

APPROVED_SUBJECT = gettext_lazy("Your access to law-enforcement training is approved")
REJECTED_SUBJECT = gettext_lazy("Your request for law-enforcement training access")

DECISION_MAIL = {
    Membership.Status.APPROVED: (APPROVED_SUBJECT, "accounts/email/vetting_approved.txt"),
    Membership.Status.REJECTED: (REJECTED_SUBJECT, "accounts/email/vetting_rejected.txt"),
}


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("accounts:invitation", kwargs={"token": invitation.token})


def vetting_mail_send(*, membership_id: int) -> bool:
    """Tell a person the vetting decision on their membership, in their own language. A
    decision since reversed (or a membership gone) is not mailed; returns True either way,
    as there is nothing left to do."""
    membership = (
        Membership.objects.select_related("user", "agency").filter(pk=membership_id).first()
    )
    if membership is None or membership.status not in DECISION_MAIL:
        return True
    user = membership.user
    subject, template = DECISION_MAIL[membership.status]
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            template, {"user": user, "site_url": settings.SITE_URL, "membership": membership}
        )
        subject = str(subject)
    send_mail(subject, body, None, [user.email], fail_silently=False)
    return True


def invitation_mail_send(*, invitation_id: int) -> bool:
    """Send the invitation, in the language of whoever invited. An invitation accepted
    meanwhile (or gone) is not sent."""
    invitation = (
        Invitation.objects.select_related("agency", "invited_by").filter(pk=invitation_id).first()
    )
    if invitation is None or invitation.accepted_at is not None:
        return True
    inviter = invitation.invited_by
    language = (inviter.language if inviter else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(
            "accounts/email/invitation.txt",
            {
                "invitation": invitation,
                "url": invitation_url(invitation),
                "site_url": settings.SITE_URL,
            },
        )
        subject = _("Invitation to crypto crime training from %(agency)s") % {
            "agency": invitation.agency.name
        }
    send_mail(subject, body, None, [invitation.email], fail_silently=False)
    return True
