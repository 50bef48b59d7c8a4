"""In-person cohorts: where and when they meet, who takes part, who holds a seat, who came."""

import hashlib
import secrets
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Agency, validate_time_zone
from assessments.models import Quiz
from courses.models import Course, Module, TrainingCategory


class Cohort(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for nominations")
        FULL = "full", _("Full")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    title = models.CharField(_("title"), max_length=200)
    country = models.CharField(_("host country"), max_length=2)
    city = models.CharField(_("city"), max_length=100)
    venue_name = models.CharField(_("venue"), max_length=200)
    venue_address = models.TextField(_("venue address"))
    time_zone = models.CharField(
        _("venue time zone"), max_length=64, validators=[validate_time_zone]
    )
    language = models.CharField(_("teaching language"), max_length=10, choices=settings.LANGUAGES)
    # Where the attended hours count in a requirement set's minimum hours per category.
    category = models.CharField(
        _("training category"),
        max_length=20,
        choices=TrainingCategory.choices,
        default=TrainingCategory.PRACTICAL,
        db_default=TrainingCategory.PRACTICAL,
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(5000)]
    )
    # Seats held (approved or offered): kept in step by the seat services, and checked by the
    # database, so no race can put more people in the room than it holds.
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0)
    host_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="hosted_cohorts")
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="cohorts_trained"
    )
    prerequisite_modules = models.ManyToManyField(
        Module, blank=True, related_name="+", verbose_name=_("prerequisite online modules")
    )
    assessment = models.ForeignKey(
        Quiz,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessment"),
        help_text=_("The quiz officers must pass; leave empty for none."),
    )
    attendance_threshold = models.PositiveSmallIntegerField(
        _("attendance needed for completion (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    nomination_deadline = models.DateTimeField(_("nomination deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("capacity")),
                name="cohort_seats_within_capacity",
            ),
            models.CheckConstraint(
                condition=models.Q(attendance_threshold__gte=1, attendance_threshold__lte=100),
                name="cohort_threshold_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cohorts:detail", kwargs={"cohort_id": self.pk})

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def seats_free(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_live(self) -> bool:
        """Still taking place or to take place: seats and messages matter."""
        return self.status not in (self.Status.CLOSED, self.Status.CANCELLED)


class Participation(models.Model):
    """An agency taking part in a cohort: the host, a co-host or a participant, with a quota."""

    class Role(models.TextChoices):
        HOST = "host", _("Host")
        COHOST = "cohost", _("Co-host")
        PARTICIPANT = "participant", _("Participant")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="participations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="participations")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    seat_quota = models.PositiveIntegerField(
        _("seat quota"), null=True, blank=True, help_text=_("Leave empty for no quota.")
    )
    seats_taken = models.PositiveIntegerField(_("seats taken"), default=0)

    class Meta:
        verbose_name = _("participating agency")
        verbose_name_plural = _("participating agencies")
        ordering = ["role", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "agency"], name="participation_unique"),
            models.CheckConstraint(
                condition=models.Q(seat_quota__isnull=True)
                | models.Q(seats_taken__lte=models.F("seat_quota")),
                name="participation_seats_within_quota",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} ({self.get_role_display()})"


class Session(models.Model):
    """One meeting of a cohort. The trainer types the venue's wall-clock time; that, with the
    venue's time zone, is what is kept, and the UTC instants are derived from it on save, so
    a daylight-saving change never moves a session."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts (venue time)"))
    end_time = models.TimeField(_("ends (venue time)"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    # Cancelled sessions stay, so calendars can be told to drop them (STATUS:CANCELLED).
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    starts_at = models.DateTimeField(_("starts (UTC)"), editable=False, db_index=True)
    ends_at = models.DateTimeField(_("ends (UTC)"), editable=False)
    # RFC 5545 SEQUENCE: raised on every change so calendars replace the event.
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    # Secret for the rotating check-in codes; never shown, never leaves the server.
    checkin_secret = models.CharField(max_length=64, default="", editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def save(self, *args, **kwargs):
        zone = ZoneInfo(self.time_zone)
        self.starts_at = datetime.combine(self.date, self.start_time, tzinfo=zone).astimezone(UTC)
        self.ends_at = datetime.combine(self.date, self.end_time, tzinfo=zone).astimezone(UTC)
        if not self.checkin_secret:
            self.checkin_secret = secrets.token_hex(32)
        super().save(*args, **kwargs)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def calendar_uid(self) -> str:
        return f"cohort-session-{self.pk}@crypto-crime-training"

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.tz)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.tz)


class Seat(models.Model):
    """One officer's place in a cohort, from nomination to completion."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        APPROVED = "approved", _("Seat confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        OFFERED = "offered", _("Seat offered")
        DECLINED = "declined", _("Declined by the host")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Offer expired")
        CANCELLED = "cancelled", _("Cohort cancelled")

    # Statuses that hold one of the cohort's seats.
    HOLDING = (Status.APPROVED, Status.OFFERED)
    # Statuses that still count the officer as being in the cohort, one way or another.
    ACTIVE = (Status.NOMINATED, Status.APPROVED, Status.WAITLISTED, Status.OFFERED)

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="seats")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cohort_seats"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NOMINATED
    )
    walk_in = models.BooleanField(_("walk-in"), default=False)
    # Whether this seat is counted in the agency's quota (walk-ins are not).
    counts_in_quota = models.BooleanField(default=False, editable=False)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(_("nominated"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    waitlisted_at = models.DateTimeField(_("waitlisted"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["nominated_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="seat_one_per_officer"),
            models.CheckConstraint(
                condition=~models.Q(status="offered") | models.Q(offer_expires_at__isnull=False),
                name="seat_offer_has_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status", "waitlisted_at"], name="seat_waitlist"),
            models.Index(fields=["status", "offer_expires_at"], name="seat_offer_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.cohort} ({self.get_status_display()})"

    @property
    def holds_seat(self) -> bool:
        return self.status in self.HOLDING


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    class Source(models.TextChoices):
        ROSTER = "roster", _("Trainer's roster")
        QR = "qr", _("QR check-in")
        CODE = "code", _("Check-in code")
        CSV = "csv", _("CSV upload")

    # Present and late count as attending.
    ATTENDED = (Status.PRESENT, Status.LATE)

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "seat"], name="attendance_one_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.seat.user} - {self.session}: {self.get_status_display()}"


class Notice(models.Model):
    """A message to one person about a cohort: the outbox row, written in the transaction that
    caused it and sent by Celery after commit. `key` makes each message happen once."""

    class Kind(models.TextChoices):
        NOMINATED = "nominated", _("Nomination received")
        CONFIRMED = "confirmed", _("Seat confirmed")
        WAITLISTED = "waitlisted", _("Put on the waiting list")
        OFFERED = "offered", _("Seat offered from the waiting list")
        DECLINED = "declined", _("Nomination declined")
        WITHDRAWN = "withdrawn", _("Seat given up")
        EXPIRED = "expired", _("Seat offer expired")
        CHANGED = "changed", _("Cohort changed")
        CANCELLED = "cancelled", _("Cohort cancelled")
        REMINDER_7D = "reminder_7d", _("Reminder: one week before")
        REMINDER_1D = "reminder_1d", _("Reminder: one day before")

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(pgettext_lazy("tries", "attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.seat}"


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's private calendar feed. Only the token's hash is stored; a new token revokes
    the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} calendar feed"


class SignInSheet(models.Model):
    """A printable sign-in sheet for a session, rendered by Celery on request."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="sign_in_sheet")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    # What the sheet was rendered from: a change of roster makes the PDF out of date.
    roster_hash = models.CharField(max_length=64, blank=True)
    rendered_hash = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="sign-in-sheets/", blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in sheet")
        verbose_name_plural = _("sign-in sheets")

    def __str__(self) -> str:
        return f"Sign-in sheet {self.session}"

    @property
    def is_current(self) -> bool:
        return bool(self.pdf) and self.rendered_hash == self.roster_hash
