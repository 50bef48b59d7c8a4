"""The drill's Django side, in the driver process against the drill's database: the small
course and the officers it seeds, and the checks afterwards (completions, certificates read
back through the storage API, attempts, reminders); the answers the officers give are
quiz_answers.attempt_fields. Importing this module sets Django up: set the environment first."""

import email
import hashlib
from collections import Counter
from pathlib import Path

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts.models import Agency, Membership, User  # noqa: E402
from assessments.models import Attempt, Quiz  # noqa: E402
from certificates.models import Certificate, CertificateReminder  # noqa: E402
from courses.models import Enrollment  # noqa: E402

COURSE = "drill-course"
PASSWORD = "drill-officer-password-2026"  # noqa: S105 (a throwaway database's officers)
MODULES = 2
LESSONS_PER_MODULE = 3

LESSON = """\
---
slug: {slug}
title: {title}
order: {order}
minutes: 5
access: le_only
---
## {title}

What an officer reads in lesson {order} of module {module}.
"""
QUIZ = """\
slug: {slug}
title: Check of module {module}
pass_mark: 70
max_attempts: 3
questions:
  - key: seize
    type: single
    prompt: What do you seize first?
    choices:
      - key: a
        text: The seed phrase
        correct: true
      - key: b
        text: The monitor
  - key: assets
    type: multiple
    prompt: Which of these hold value?
    choices:
      - key: a
        text: A hardware wallet
        correct: true
      - key: b
        text: A paper wallet
        correct: true
      - key: c
        text: A mouse pad
"""


def write_course(root: Path) -> None:
    """A course of MODULES modules of LESSONS_PER_MODULE vetted-only lessons and a quiz
    each, whose certificates expire after two months (so the 90-day expiry reminder is due
    as soon as one is issued, and beat's reminder task has something to send once)."""
    course = root / "courses" / COURSE
    course.mkdir(parents=True)
    (course / "course.md").write_text(
        f"---\nslug: {COURSE}\ntitle: Drill course\nlanguage: en\norder: 1\n"
        "valid_for_months: 2\n---\nThe course of the multi-node drill.\n"
    )
    for module in range(1, MODULES + 1):
        folder = course / f"{module:02d}-module"
        folder.mkdir()
        (folder / "module.md").write_text(
            f"---\nslug: module-{module}\ntitle: Module {module}\norder: {module}\n"
            "objectives:\n  - Seize a wallet\n---\n"
        )
        for order in range(1, LESSONS_PER_MODULE + 1):
            slug = f"lesson-{module}-{order}"
            (folder / f"{order:02d}-{slug}.md").write_text(
                LESSON.format(
                    slug=slug, title=f"Lesson {module}.{order}", order=order, module=module
                )
            )
        (folder / "quiz.yaml").write_text(QUIZ.format(slug=f"quiz-{module}", module=module))


def seed(*, content: Path, officers: int) -> list[str]:
    """Migrate, import the course, and make `officers` vetted officers of one agency (rows
    made directly, as a fixture: the drill is about what happens after sign-in)."""
    call_command("migrate", verbosity=0, interactive=False)
    write_course(content)
    call_command("sync_content", path=content, verbosity=0)
    agency = Agency.objects.create(
        name="Drill Police", country="KR", time_zone="Asia/Seoul", email_domains=["drill.example"]
    )
    password = make_password(PASSWORD)
    emails = []
    for number in range(1, officers + 1):
        address = f"officer{number:03d}@drill.example"
        user = User.objects.create(email=address, full_name=f"Drill Officer {number}")
        user.password = password
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
        Membership.objects.create(
            user=user,
            agency=agency,
            role=Membership.Role.OFFICER,
            status=Membership.Status.APPROVED,
            vetted_at=user.date_joined,
        )
        emails.append(address)
    return emails


def quiz_modules() -> list[str]:
    return [f"module-{module}" for module in range(1, MODULES + 1)]


def lessons() -> list[tuple[str, str]]:
    """(module slug, lesson slug) in reading order."""
    return [
        (f"module-{module}", f"lesson-{module}-{order}")
        for module in range(1, MODULES + 1)
        for order in range(1, LESSONS_PER_MODULE + 1)
    ]


def reminder_emails() -> Counter:
    """Expiry reminders as written by the file email backend, by recipient: one file per
    connection, its messages separated by a line of 79 dashes."""
    sent: Counter = Counter()
    mail_dir = Path(settings.MAIL_DIR)
    for path in mail_dir.glob("*") if mail_dir.exists() else []:
        for raw in path.read_bytes().split(b"-" * 79):
            message = email.message_from_bytes(raw.strip())
            subject = str(message.get("Subject", ""))
            if subject.startswith("Your certificate expires"):
                sent[str(message.get("To"))] += 1
    return sent


def audit_verify() -> None:
    call_command("audit_verify")


def outcome(emails: list[str]) -> dict:
    """What the drill asserts, counted from the database and the storage."""
    officers = User.objects.filter(email__in=emails)
    enrollments = Enrollment.objects.filter(user__in=officers, course__slug=COURSE)
    completed = enrollments.filter(completed_at__isnull=False).count()
    certificates = list(Certificate.objects.filter(enrollment__in=enrollments))
    per_officer = Counter(certificate.enrollment_id for certificate in certificates)
    readable = 0
    for certificate in certificates:
        if certificate.status != Certificate.Status.ISSUED or not certificate.pdf:
            continue
        with default_storage.open(certificate.pdf.name) as pdf:
            data = pdf.read()
        if data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == certificate.pdf_sha256:
            readable += 1
    stored = len(default_storage.listdir("certificates")[1])
    attempts = Attempt.objects.filter(user__in=officers, quiz__in=Quiz.objects.all())
    reminders = CertificateReminder.objects.filter(certificate__in=certificates)
    emails_sent = reminder_emails()
    return {
        "officers": officers.count(),
        "completed": completed,
        "certificates": len(certificates),
        "officers_with_one_certificate": sum(1 for n in per_officer.values() if n == 1),
        "certificate_duplicates": sum(n - 1 for n in per_officer.values()),
        "pdfs_readable": readable,
        "pdf_files_stored": stored,
        "attempts": attempts.count(),
        "attempts_graded": attempts.filter(status=Attempt.Status.GRADED).count(),
        "reminders": reminders.count(),
        "reminders_sent": reminders.filter(sent_at__isnull=False).count(),
        "reminder_emails": sum(emails_sent.values()),
        "reminder_emails_twice": sum(1 for n in emails_sent.values() if n > 1),
    }
