"""Mail to a holder when their certificate is revoked, suspended or reinstated, built from the
database by the worker (the outbox row carries the id only), in the holder's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate

MAILS = {
    "revoked": (
        _("Your certificate %(serial)s has been revoked"),
        "certificates/email/revoked.txt",
    ),
    "suspended": (
        _("Your certificate %(serial)s has been suspended"),
        "certificates/email/suspended.txt",
    ),
    "reinstated": (
        _("Your certificate %(serial)s is valid again"),
        "certificates/email/reinstated.txt",
    ),
}


def certificate_status_mail_send(*, certificate_id: int, event: str) -> bool:
    """Tell the holder what happened to their certificate. The event is what the service
    did (revoked, suspended, reinstated), so a mail says that even if the status has moved
    on since; the revocation mail names the category, never the free-text reason."""
    certificate = Certificate.objects.select_related("user").filter(pk=certificate_id).first()
    if certificate is None:
        return True
    user = certificate.user
    subject, template = MAILS[event]
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string(
            template,
            {
                "certificate": certificate,
                "user": user,
                "category": certificate.get_revocation_reason_display(),
                "verify_url": certificate.verify_url,
                "site_url": settings.SITE_URL,
            },
        )
        subject = str(subject) % {"serial": certificate.serial}
    send_mail(subject, body, None, [user.email], fail_silently=False)
    return True
