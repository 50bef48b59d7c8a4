"""Demo agencies and people for local development (manage.py seed_demo)."""

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Agency, Membership, User
from accounts.services import audit_log

DEMO_PASSWORD = "demo-training-2026"  # noqa: S105 (development-only demo accounts)

AGENCIES = [
    # name, country, time zone, email domain
    ("Korean National Police Agency (demo)", "KR", "Asia/Seoul", "knpa.example"),
    ("Royal Thai Police (demo)", "TH", "Asia/Bangkok", "rtp.example"),
    ("General Police Inspectorate of Moldova (demo)", "MD", "Europe/Chisinau", "igp.example"),
]

PEOPLE = [
    # email, full name, role, agency index (None: programme-wide, as the demo trainer is: a
    # trainer bound to an agency schedules cohorts hosted by that agency only)
    ("trainer@rtp.example", "Somchai Wongsakul", Membership.Role.TRAINER, None),
    ("admin@knpa.example", "Park Ji-won", Membership.Role.AGENCY_ADMIN, 0),
    ("admin@rtp.example", "Niran Chaiyaporn", Membership.Role.AGENCY_ADMIN, 1),
    ("admin@igp.example", "Ion Rusu", Membership.Role.AGENCY_ADMIN, 2),
    ("officer.kim@knpa.example", "Kim Min-jun", Membership.Role.OFFICER, 0),
    ("officer.lee@knpa.example", "Lee Seo-yeon", Membership.Role.OFFICER, 0),
    ("officer.malee@rtp.example", "Malee Srisuk", Membership.Role.OFFICER, 1),
    ("officer.ciobanu@igp.example", "Elena Ciobanu", Membership.Role.OFFICER, 2),
    # Signed up with an agency address and waiting for the Thai admin to vet them.
    ("officer.pending@rtp.example", "Arthit Boonmee", Membership.Role.OFFICER, 1),
]
PENDING = {"officer.pending@rtp.example"}
STAFF = ("staff@programme.example", "Programme Staff")


def seed_demo() -> list[tuple[str, str, str]]:
    agencies = []
    for name, country, zone, domain in AGENCIES:
        agency, created = Agency.objects.update_or_create(
            name=name,
            defaults={"country": country, "time_zone": zone, "email_domains": [domain]},
        )
        if created:
            audit_log(action="agency.create", target=agency, agency=agency, details={"demo": True})
        agencies.append(agency)
    people = []
    for email, full_name, role, index in PEOPLE:
        agency = agencies[index] if index is not None else None
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=DEMO_PASSWORD, full_name=full_name
            )
            audit_log(action="account.create", target=user, agency=agency, details={"demo": True})
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        _membership, created = Membership.objects.get_or_create(
            user=user,
            agency=agency,
            role=role,
            defaults=(
                {"status": Membership.Status.PENDING}
                if email in PENDING
                else {"status": Membership.Status.APPROVED, "vetted_at": timezone.now()}
            ),
        )
        if created:
            audit_log(
                action="membership.create", target=user, agency=agency, details={"role": role}
            )
        people.append((email, role, agency.name if agency else "programme-wide"))
    staff_email, staff_name = STAFF
    staff = User.objects.filter(email=staff_email).first()
    if staff is None:
        staff = User.objects.create_superuser(
            email=staff_email, password=DEMO_PASSWORD, full_name=staff_name
        )
        audit_log(action="account.create", target=staff, details={"demo": True, "staff": True})
    EmailAddress.objects.update_or_create(
        user=staff, email=staff_email, defaults={"verified": True, "primary": True}
    )
    people.append((staff_email, "staff", "programme (Django admin at /admin/)"))
    return people
