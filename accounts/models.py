"""Users (email is the login), agencies, memberships with roles, and the audit trail."""

import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.prepared import prepared


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_email_domains(value: list) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and item and "@" not in item and item == item.lower()
        for item in value
    ):
        raise ValidationError(_("Email domains must be a list of lower-case domain names."))


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get(self, *args, **kwargs):
        """User.objects.get(pk=<int>), which authentication asks on every signed-in request
        (ModelBackend.get_user), as a prepared read (core.prepared): the ORM spent more CPU
        building that statement again than the database spent answering it. Any other
        lookup, or a manager bound to a database, goes the ORM's usual way."""
        pk = kwargs.get("pk")
        if args or len(kwargs) != 1 or type(pk) is not int or self._db is not None:
            return super().get(*args, **kwargs)
        found = _user_by_pk(pk=pk)
        if not found:
            raise self.model.DoesNotExist(
                f"{self.model._meta.object_name} matching query does not exist."
            )
        return found[0]

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(
        _("full name"),
        max_length=150,
        help_text=_("As it should appear on your certificates."),
    )
    display_name = models.CharField(
        _("display name"),
        max_length=60,
        blank=True,
        help_text=_("Shown to officers of other agencies instead of your email."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("Interface language.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("programme staff"), default=False)
    allow_multi_agency = models.BooleanField(
        _("may hold roles in several agencies"),
        default=False,
        help_text=_("Set by programme staff."),
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.display_name or self.full_name


@prepared
def _user_by_pk(*, pk: int):
    return User.objects.filter(pk=pk)


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 code, e.g. KR.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    email_domains = models.JSONField(
        _("official email domains"),
        default=list,
        blank=True,
        validators=[validate_email_domains],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["country", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="agency_country_iso2"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An optional part of an agency (a cyber-crime division, a regional bureau...)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="unit_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} / {self.name}"


class Membership(models.Model):
    """A role a person holds: in an agency, in a country (coordinator) or programme-wide."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Officer")
        TRAINER = "trainer", _("Trainer")
        AGENCY_ADMIN = "agency_admin", _("Agency admin")
        COORDINATOR = "coordinator", _("Country coordinator")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending vetting")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        LEFT = "left", _("Left the agency")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("For country coordinators.")
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPROVED
    )
    # When the membership was last approved or re-confirmed; approval lapses after
    # settings.VETTING_RECONFIRM_DAYS.
    vetted_at = models.DateTimeField(_("vetted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=models.Q(agency__isnull=False),
                name="membership_unique_agency_role",
            ),
            models.UniqueConstraint(
                fields=["user", "country", "role"],
                condition=models.Q(agency__isnull=True),
                name="membership_unique_country_role",
            ),
            # Coordinators belong to a country; officers and agency admins to an agency.
            models.CheckConstraint(
                condition=(
                    models.Q(role="coordinator", agency__isnull=True, country__regex=r"^[A-Z]{2}$")
                    | models.Q(
                        role__in=["officer", "agency_admin"], agency__isnull=False, country=""
                    )
                    | models.Q(role="trainer", country="")
                ),
                name="membership_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        where = self.agency or self.country or _("programme")
        return f"{self.user} - {where} ({self.get_role_display()})"


class TrainerQualification(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="qualifications")
    title = models.CharField(_("qualification"), max_length=200)
    # The course it qualifies the trainer to teach (a slug, as accounts sits below courses).
    course_slug = models.SlugField(_("course"), blank=True)
    expires_on = models.DateField(_("expires on"))

    class Meta:
        verbose_name = _("trainer qualification")
        verbose_name_plural = _("trainer qualifications")
        ordering = ["expires_on"]

    def __str__(self) -> str:
        return f"{self.title} ({self.expires_on})"


class Invitation(models.Model):
    """An invitation to join an agency, for people whose email is not on its domains."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL)
    email = models.EmailField(_("email"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(
        _("role"), max_length=20, choices=Membership.Role.choices, default=Membership.Role.OFFICER
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    sent_count = models.PositiveSmallIntegerField(_("times sent"), default=0)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per person and agency.
            models.UniqueConstraint(
                fields=["agency", "email"],
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} -> {self.agency}"


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")

    created_at = models.DateTimeField(_("time (UTC)"), default=timezone.now, db_index=True)
    # The table is append-only (database triggers refuse UPDATE, DELETE and TRUNCATE), so
    # the rows it points at can never be deleted either.
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    # The request's user agent (truncated) and id (also in the nginx and gunicorn access
    # logs); empty for rows written outside a request and for rows from before they existed.
    user_agent = models.CharField(
        _("user agent"), max_length=256, blank=True, default="", db_default=""
    )
    request_id = models.CharField(
        _("request id"), max_length=64, blank=True, default="", db_default=""
    )
    # Each row carries an HMAC (key AUDIT_HMAC_KEY, from the environment) of its facts and of
    # the previous row's hash: editing or removing a row breaks the chain, and manage.py
    # audit_verify names the first broken link.
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    row_hash = models.CharField(_("hash"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A training record names the audit event behind each line, found by its target
            # in one query (reports.selectors.transcripts): 423 ms to 0.9 ms at 1.5 M rows.
            models.Index(fields=["target_type", "target_id"], name="auditevent_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"
