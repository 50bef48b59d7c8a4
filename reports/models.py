"""Records of reports: training requirement sets (from content/requirements/) and the one each
agency follows, signed training-record transcripts, and exports built by a worker."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency


def new_transcript_serial() -> str:
    """TR- and 12 characters of an unambiguous alphabet (no 0/O, 1/I/L)."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    return "TR-" + "".join(secrets.choice(alphabet) for _ in range(12))


def new_verify_token() -> str:
    return secrets.token_urlsafe(24)


class RequirementSet(models.Model):
    """A jurisdiction's training requirement: every `cycle_months`, from a fixed anchor date or
    from each officer's start, at least so many hours per category, these courses or modules,
    and (optionally) a current certificate. Imported from content/requirements/<slug>.yaml by
    sync_content; agencies choose one (AgencyRequirement)."""

    class Anchor(models.TextChoices):
        FIXED = "fixed", _("From a fixed date")
        START = "start", _("From each officer's start")

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, blank=True)
    description = models.TextField(_("description"), blank=True)
    # A demonstration set, not a real legal requirement: shown with "(demo)" everywhere.
    is_demo = models.BooleanField(_("demonstration only"), default=True)
    cycle_months = models.PositiveSmallIntegerField(_("cycle (months)"))
    anchor = models.CharField(_("cycle starts"), max_length=5, choices=Anchor.choices)
    anchor_date = models.DateField(_("anchor date"), null=True, blank=True)
    # {"tracing": "8", "legal": "4", "total": "20"}: minimum hours (decimal strings) per
    # courses.models.TrainingCategory value; "total" counts every category.
    minimum_hours = models.JSONField(_("minimum hours per category"), default=dict, blank=True)
    # ["crypto-investigation", "crypto-investigation/tracing-stolen-funds"]: course slugs, or
    # course/module slugs, to complete within each cycle.
    required = models.JSONField(_("required courses or modules"), default=list, blank=True)
    certificate_current = models.BooleanField(_("certificate must be current"), default=False)
    source_path = models.CharField(_("source file"), max_length=300)
    content_hash = models.CharField(_("content hash"), max_length=64)

    class Meta:
        verbose_name = _("requirement set")
        verbose_name_plural = _("requirement sets")
        ordering = ["country", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anchor="start") | models.Q(anchor_date__isnull=False),
                name="requirementset_fixed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AgencyRequirement(models.Model):
    """The requirement set an agency follows, chosen by its admin."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="requirement")
    requirement_set = models.ForeignKey(
        RequirementSet, on_delete=models.PROTECT, related_name="agencies"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(_("chosen"), default=timezone.now)

    class Meta:
        verbose_name = _("agency requirement")
        verbose_name_plural = _("agency requirements")

    def __str__(self) -> str:
        return f"{self.agency}: {self.requirement_set}"


class Transcript(models.Model):
    """One officer's signed PDF transcript: its serial and verify token, who asked for it
    (written in the request, status pending), then, by the worker, the lines, the audit
    chain's head at that moment and the SHA-256 of the signed PDF (kept in storage under
    `pdf`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    serial = models.CharField(
        _("serial number"), max_length=20, unique=True, default=new_transcript_serial
    )
    verify_token = models.CharField(
        _("verification token"), max_length=64, unique=True, default=new_verify_token
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transcripts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    language = models.CharField(_("language"), max_length=10)
    # The audit chain's last row when the transcript was made: its id and hash (empty
    # until the worker has made it).
    audit_head_id = models.PositiveBigIntegerField(
        _("audit chain head (id)"), null=True, blank=True
    )
    audit_head_hash = models.CharField(_("audit chain head (hash)"), max_length=64, blank=True)
    lines = models.PositiveIntegerField(_("lines"), default=0)
    # SHA-256 of the lines as printed (canonical JSON), so a verifier can compare a copy.
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="transcripts/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    # When the worker read the record and the chain's head, and signed the PDF.
    rendered_at = models.DateTimeField(_("made"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.serial


class ExportJob(models.Model):
    """A table export too large to build in a request (over EXPORT_ASYNC_ROWS rows): built by
    a worker, downloadable only by the person who asked, until `expires_at`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The table's registered name (reports.exports) and its parameters (filters, scope ids).
    table = models.CharField(_("table"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # The requester's language and time zone when they asked: the worker writes the header
    # and the times as the direct download would have.
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.table} ({self.format}) for {self.user_id}"


class ComplianceSummary(models.Model):
    """The monthly compliance summary email to one admin of an agency that follows a
    requirement set: the outbox row's record. The unique (agency, user, month) makes each go
    once, however often the daily task runs."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compliance_summaries"
    )
    # The first day of the month, in the agency's time zone.
    month = models.DateField(_("month"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    # Why it was not sent (no longer an admin, no requirement any more), or the last error.
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("compliance summary")
        verbose_name_plural = _("compliance summaries")
        ordering = ["-month", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "user", "month"], name="compliancesummary_once_a_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.user_id} {self.month:%Y-%m}"


class ComplianceState(models.Model):
    """One officer membership's compliance as last judged by
    reports.selectors.compliance.officers_compliance: a summary the dashboards count with one
    GROUP BY instead of judging every officer on every view. Derived data, rewritten by
    reports.services.compliance_states when the evidence changes and daily (states move with
    the date)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="compliance_state"
    )
    requirement_set = models.ForeignKey(
        RequirementSet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One of reports.selectors.compliance.STATES.
    state = models.CharField(_("state"), max_length=10)
    cycle_start = models.DateField(_("cycle start"), null=True, blank=True)
    cycle_end = models.DateField(_("cycle end"), null=True, blank=True)
    # {category: hours as a decimal string}, "total" too: the current cycle's.
    hours = models.JSONField(_("hours"), default=dict)
    # What is missing, as facts (not text): ["hours", category, "3.5"], ["module", title],
    # ["course", title], ["certificate"]; worded in the viewer's language by
    # reports.selectors.compliance.shortfall_lines.
    shortfalls = models.JSONField(_("shortfalls"), default=list)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("compliance state")
        verbose_name_plural = _("compliance states")
        indexes = [
            models.Index(fields=["agency", "state"], name="compliancestate_agency_state"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.state}"
