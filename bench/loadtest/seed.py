"""The people of the load test and the plan the load generator reads (bench/loadtest/run.py).

Officers: vetted, enrolled in the course, spread over the agencies (the demo agencies that
seed_demo made, if any, and new ones up to AGENCIES, each following its country's demo
requirement set as the demo agencies do). Agency admins: the demo admins seed_demo made, then new
ones, each with an authenticator app (TOTP, as every admin must). Everyone has the demo
password. Written in bulk (one password hash for all; no audit rows, as bench/seed_scale.py:
a throwaway database), so 2,000 people take seconds; then every officer's compliance summary,
as the nightly task would leave it. Call with Django set up on a database holding the content.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.demo import AGENCIES as DEMO_AGENCIES
from accounts.demo import DEMO_PASSWORD, PEOPLE
from accounts.models import Agency, Membership, User
from courses.models import Course, Enrollment, Lesson
from reports.models import RequirementSet
from reports.selectors.dashboards.filters import ENROLLED
from reports.services.compliance_states import compliance_states_refresh_all
from reports.services.requirements import agency_requirement_choose

COURSE = "crypto-investigation"
AGENCIES = 8  # officers and admins are spread over this many agencies
# Where the new agencies are: the demo countries, whose demo requirement sets exist.
COUNTRIES = [("KR", "Asia/Seoul"), ("TH", "Asia/Bangkok"), ("MD", "Europe/Chisinau")]
BATCH = 500


@dataclass(frozen=True)
class People:
    officers: list[dict]  # {"email"}
    admins: list[dict]  # {"email", "totp", "dashboard", "officers", "roster"}


def agencies_ensure(count: int = AGENCIES) -> list[Agency]:
    """The demo agencies present, then new ones up to `count`."""
    demo_names = [name for name, _country, _zone, _domain in DEMO_AGENCIES]
    agencies = list(Agency.objects.filter(name__in=demo_names).order_by("pk"))
    number = 0
    while len(agencies) < count:
        number += 1
        country, zone = COUNTRIES[number % len(COUNTRIES)]
        agency, _created = Agency.objects.get_or_create(
            name=f"Load Test Police {number} ({country})",
            defaults={
                "country": country,
                "time_zone": zone,
                "email_domains": [f"lt{number}.example"],
            },
        )
        agencies.append(agency)
    return agencies


def _create(agencies: list[Agency], emails: list[str], role: str) -> list[User]:
    """Users with the demo password, verified addresses and approved, vetted memberships of
    the agency their index gives (round robin)."""
    password = make_password(DEMO_PASSWORD)
    now = timezone.now()
    users = []
    for start in range(0, len(emails), BATCH):
        chunk = emails[start : start + BATCH]
        made = User.objects.bulk_create(
            [User(email=email, full_name=email.split("@")[0], password=password) for email in chunk]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in made]
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=user,
                    agency=agencies[(start + index) % len(agencies)],
                    role=role,
                    status=Membership.Status.APPROVED,
                    vetted_at=now,
                )
                for index, user in enumerate(made)
            ]
        )
        users += made
    return users


def _domain(agency: Agency) -> str:
    return agency.email_domains[0] if agency.email_domains else f"agency{agency.pk}.example"


@transaction.atomic
def people_create(*, officers: int, admins: int, course_slug: str = COURSE) -> People:
    """`officers` enrolled officers and `admins` agency admins with authenticator apps (see
    the module's docstring); the accounts the load generator signs in with."""
    from benchsite import totp_activate

    agencies = agencies_ensure()
    course = Course.objects.get(slug=course_slug)
    officer_emails = [
        f"load.officer{n:05d}@{_domain(agencies[n % len(agencies)])}" for n in range(officers)
    ]
    made = _create(agencies, officer_emails, Membership.Role.OFFICER)
    Enrollment.objects.bulk_create(
        [Enrollment(user=user, course=course) for user in made], batch_size=BATCH
    )

    demo_admins = [e for e, _name, role, _i in PEOPLE if role == Membership.Role.AGENCY_ADMIN]
    admin_users = list(User.objects.filter(email__in=demo_admins).order_by("pk")[:admins])
    new = admins - len(admin_users)
    admin_users += _create(
        agencies,
        [f"load.admin{n:03d}@{_domain(agencies[n % len(agencies)])}" for n in range(new)],
        Membership.Role.AGENCY_ADMIN,
    )
    secrets = totp_activate(admin_users)

    memberships = Membership.objects.filter(
        user__in=admin_users, role=Membership.Role.AGENCY_ADMIN
    ).select_related("user")
    agency_of = {m.user.email: m.agency_id for m in memberships}
    admin_of = {m.agency_id: m.user for m in memberships}
    for agency in agencies:
        requirement_set = (
            RequirementSet.objects.filter(country=agency.country, is_demo=True)
            .order_by("slug")
            .first()
        )
        if requirement_set is not None:
            agency_requirement_choose(
                agency=agency, requirement_set=requirement_set, actor=admin_of.get(agency.pk)
            )
    compliance_states_refresh_all()

    return People(
        officers=[{"email": user.email} for user in made],
        admins=[
            {
                "email": user.email,
                "totp": secrets[user.email],
                "dashboard": reverse("reports:dashboard_agency", args=[agency_of[user.email]]),
                "officers": reverse("reports:dashboard_officers", args=[agency_of[user.email]])
                + f"?figure={ENROLLED}",
                "roster": reverse("reports:roster", args=[agency_of[user.email]]),
            }
            for user in admin_users
        ],
    )


def course_plan(course_slug: str = COURSE) -> list[dict]:
    """Each module of the course in order: its lessons' pages and their "mark as read" forms,
    and its quiz's page and start form (None where the module has no quiz)."""
    course = Course.objects.get(slug=course_slug)
    modules = []
    for module in course.modules.order_by("order", "pk"):
        lessons = Lesson.objects.filter(module=module).select_related("module__course")
        kwargs = {"course_slug": course.slug, "module_slug": module.slug}
        has_quiz = hasattr(module, "quiz")
        modules.append(
            {
                "slug": module.slug,
                "lessons": [
                    {
                        "page": lesson.get_absolute_url(),
                        "complete": reverse(
                            "courses:lesson_complete", kwargs={**kwargs, "lesson_slug": lesson.slug}
                        ),
                    }
                    for lesson in lessons.order_by("order", "pk")
                ],
                "quiz": reverse("assessments:quiz", kwargs=kwargs) if has_quiz else None,
                "start": reverse("assessments:quiz_start", kwargs=kwargs) if has_quiz else None,
            }
        )
    return modules
