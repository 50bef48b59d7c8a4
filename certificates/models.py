"""Certificate records: written with the completion (the outbox), rendered by Celery."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Seat
from courses.models import Course, Enrollment


def new_verify_token() -> str:
    # 32 bytes = 256 bits from the OS CSPRNG; url-safe, 43 characters.
    return secrets.token_urlsafe(32)


def new_serial() -> str:
    return f"CC-{timezone.now():%Y}-{secrets.token_hex(5).upper()}"


# Bitstring Status List v1.0 asks for at least 131,072 entries (16 KiB), so that one bit
# set in a list says little about which certificate it is.
STATUS_LIST_SIZE = 131_072


class StatusList(models.Model):
    """One Bitstring Status List: a bit per certificate, set while it is revoked (purpose
    revocation) or suspended (purpose suspension). Published, signed, at
    /credentials/status/<purpose>-<number>.json. Indexes are handed out at random and never
    reused; when a list is half full, the next certificate opens a new one."""

    class Purpose(models.TextChoices):
        REVOCATION = "revocation", _("Revocation")
        SUSPENSION = "suspension", _("Suspension")

    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    number = models.PositiveIntegerField(_("number"))
    size = models.PositiveIntegerField(_("entries"), default=STATUS_LIST_SIZE)
    # The raw bitstring, size/8 bytes; bit 0 is the most significant bit of byte 0.
    bits = models.BinaryField(_("bits"))
    allocated = models.PositiveIntegerField(_("indexes handed out"), default=0)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("status list")
        verbose_name_plural = _("status lists")
        constraints = [
            models.UniqueConstraint(fields=["purpose", "number"], name="statuslist_unique_number")
        ]

    def __str__(self) -> str:
        return self.slug

    @property
    def slug(self) -> str:
        return f"{self.purpose}-{self.number}"


class Certificate(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        ISSUED = "issued", _("Issued")
        FAILED = "failed", _("Failed")
        REVOKED = "revoked", _("Revoked")
        SUSPENDED = "suspended", _("Suspended")
        SUPERSEDED = "superseded", _("Superseded")

    class RevocationReason(models.TextChoices):
        # Only the category is public (verify page, JSON); the free-text reason stays in
        # the audit trail and on the staff page.
        ISSUED_IN_ERROR = "issued_in_error", _("Issued in error")
        IDENTITY = "identity", _("Holder's identity not confirmed")
        MISCONDUCT = "misconduct", _("Assessment misconduct")
        HOLDER_REQUEST = "holder_request", _("At the holder's request")
        AGENCY_REQUEST = "agency_request", _("At the agency's request")
        OTHER = "other", _("Other")

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
    serial = models.CharField(_("serial number"), max_length=32, default=new_serial, db_index=True)
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
    # The SHA-256 of the stored PDF, shown on the verify page so a recipient can compare a
    # file they were given.
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    # The holder's language when the certificate was written: the PDF prints it beside
    # English (ko, th, ro); empty or "en" prints English only.
    holder_language = models.CharField(_("holder's language"), max_length=10, blank=True)
    # Which layout the PDF was drawn with; a new template version is a reason to reissue.
    template_version = models.PositiveSmallIntegerField(_("template version"), default=1)
    # Reissues (a corrected name, a new template) keep the serial and count up; a renewal
    # is a new certificate with a new serial. Either way the old row is superseded.
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    # Empty means the certificate does not expire (course.md without valid_for_months).
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(
        _("reason for revocation"), max_length=20, choices=RevocationReason.choices, blank=True
    )
    suspended_at = models.DateTimeField(_("suspended"), null=True, blank=True)
    # Bitstring Status List entries; statusListIndex is a string in the credential, so here.
    revocation_list = models.ForeignKey(
        StatusList, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocation_index = models.CharField(_("revocation list index"), max_length=10, blank=True)
    suspension_list = models.ForeignKey(
        StatusList, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suspension_index = models.CharField(_("suspension list index"), max_length=10, blank=True)
    # {"<lesson id>": <version number>}: the lesson versions this certificate was earned on,
    # kept because a refresher moves LessonProgress on to the current version. A renewal
    # asks the holder to re-read what changed materially since these.
    lesson_versions = models.JSONField(_("lesson versions read"), default=dict, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at"]
        constraints = [
            # One first certificate per completion. A reissue or renewal (supersedes set) may
            # share the enrollment and version (a corrected name) or the cohort; the
            # OneToOne on supersedes allows one successor per certificate.
            models.UniqueConstraint(
                fields=["enrollment", "content_version"],
                condition=models.Q(cohort__isnull=True, supersedes__isnull=True)
                & ~models.Q(status="superseded"),
                name="certificate_unique_version",
            ),
            models.UniqueConstraint(
                fields=["user", "cohort"],
                condition=models.Q(cohort__isnull=False, supersedes__isnull=True)
                & ~models.Q(status="superseded"),
                name="certificate_unique_cohort",
            ),
            models.UniqueConstraint(
                fields=["serial", "revision"], name="certificate_unique_revision"
            ),
            models.UniqueConstraint(
                fields=["revocation_list", "revocation_index"],
                condition=models.Q(revocation_list__isnull=False),
                name="certificate_unique_revocation_index",
            ),
            models.UniqueConstraint(
                fields=["suspension_list", "suspension_index"],
                condition=models.Q(suspension_list__isnull=False),
                name="certificate_unique_suspension_index",
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

    @property
    def file_stem(self) -> str:
        """The serial, with the revision after the first: CC-2026-0A1B2C3D4E-r2."""
        return self.serial if self.revision == 1 else f"{self.serial}-r{self.revision}"

    def is_expired(self, now=None) -> bool:
        return self.valid_until is not None and self.valid_until <= (now or timezone.now())

    def public_status(self, now=None) -> str:
        """What the verify page says: valid, expired, revoked, suspended, superseded, or
        pending (being prepared). Expiry is a date, not a stored status."""
        if self.status == self.Status.ISSUED:
            return "expired" if self.is_expired(now) else "valid"
        return self.status


class CertificateReminder(models.Model):
    """An expiry reminder (90, 30 or 7 days before valid_until): the outbox row of one email.
    The unique constraint makes each go once, however often the periodic task runs."""

    DAYS = (90, 30, 7)

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(_("days before expiry"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    # Why it was not sent (renewed or revoked meanwhile), or the last sending error.
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="certificatereminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} -{self.days_before}d"


class CertificateRenewal(models.Model):
    """A holder's renewal (delta recertification) of an expiring or expired certificate:
    started by a POST, done when the changed lessons are re-read and the final assessment is
    passed after started_at; then `renewed` is the new certificate that supersedes the old."""

    certificate = models.OneToOneField(
        Certificate, on_delete=models.PROTECT, related_name="renewal"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    renewed = models.OneToOneField(
        Certificate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_from",
        verbose_name=_("new certificate"),
    )

    class Meta:
        verbose_name = _("certificate renewal")
        verbose_name_plural = _("certificate renewals")

    def __str__(self) -> str:
        return f"{self.certificate} renewal"


class CertificateBatch(models.Model):
    """A cohort's certificates issued or reissued in one go: one item per seat, each item's
    work an outbox row of its own. One open batch per cohort and kind, so pressing the button
    twice finds the running batch instead of issuing anything twice."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issue missing certificates")
        REISSUE = "reissue", _("Reissue all")

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificate_batches")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("reason"), blank=True)
    # The template a reissue batch was started for (a record: every render draws with the
    # current template, certificates.rendering.CURRENT_TEMPLATE_VERSION).
    template_version = models.PositiveSmallIntegerField(
        _("template version"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Set once no item is waiting; an open batch (empty) is the one a second press returns.
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "kind"],
                condition=models.Q(finished_at__isnull=True),
                name="certificatebatch_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.cohort}"

    def get_absolute_url(self) -> str:
        return reverse("certificates:batch", kwargs={"batch_id": self.pk})


class CertificateBatchItem(models.Model):
    """One seat's share of a batch: the certificate it produced, and whether that is issued
    (done), being prepared (waiting) or given up on (failed, with the error)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(CertificateBatch, on_delete=models.CASCADE, related_name="items")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    # For a reissue: the issued certificate being replaced.
    source = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        Certificate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="batch_items",
        verbose_name=_("certificate"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    error = models.TextField(_("error"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("certificate batch item")
        verbose_name_plural = _("certificate batch items")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "seat"], name="certificatebatchitem_one_per_seat"
            )
        ]
        indexes = [models.Index(fields=["batch", "state"], name="certbatchitem_state")]

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.seat_id} ({self.state})"
