"""Certificate records: written with the completion (the outbox), rendered by Celery."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from courses.models import Course, Enrollment


def new_verify_token() -> str:
    # 32 bytes = 256 bits from the OS CSPRNG; url-safe, 43 characters.
    return secrets.token_urlsafe(32)


def new_serial() -> str:
    return f"CC-{timezone.now():%Y}-{secrets.token_hex(5).upper()}"


class Certificate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        ISSUED = "issued", _("Issued")
        FAILED = "failed", _("Failed")
        REVOKED = "revoked", _("Revoked")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="certificates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    # Set for a blended course completed in an in-person cohort; empty for online completion.
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates"
    )
    content_version = models.CharField(_("content version"), max_length=64)
    serial = models.CharField(_("serial number"), max_length=32, unique=True, default=new_serial)
    verify_token = models.CharField(
        _("verification token"), max_length=64, unique=True, default=new_verify_token
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # What the certificate says is frozen at completion, so later edits do not rewrite it.
    holder_name = models.CharField(_("holder name"), max_length=150)
    agency_name = models.CharField(_("agency"), max_length=200, blank=True)
    course_title = models.CharField(_("course"), max_length=200)
    # For a cohort: "In person: Bangkok, Thailand, 3-4 December 2026", frozen like the rest.
    delivery = models.CharField(_("delivery"), max_length=200, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    completed_at = models.DateTimeField(_("completed"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="certificates/", blank=True)
    render_attempts = models.PositiveSmallIntegerField(_("render attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "content_version"],
                condition=models.Q(cohort__isnull=True),
                name="certificate_unique_version",
            ),
            models.UniqueConstraint(
                fields=["user", "cohort"],
                condition=models.Q(cohort__isnull=False),
                name="certificate_unique_cohort",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="issued")
                | (~models.Q(pdf="") & models.Q(issued_at__isnull=False)),
                name="certificate_issued_has_pdf",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    def get_absolute_url(self) -> str:
        return reverse("certificates:verify", kwargs={"token": self.verify_token})

    @property
    def verify_url(self) -> str:
        return f"{settings.SITE_URL}{self.get_absolute_url()}"
