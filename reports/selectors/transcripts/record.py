"""The lines of an officer's training record, as dataclasses, and a certificate's current status."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import User
from certificates.models import Certificate

# Which audit actions stand behind a line, per target model. The newest matching event wins:
# a lesson re-read after a material change (lesson.refresh) or a regraded attempt is
# recorded by its latest event, the one that made the line what it shows now.
LESSON_ACTIONS = ("lesson.complete", "lesson.refresh")


ENROLLMENT_ACTIONS = ("enrollment.create",)


COMPLETION_ACTIONS = ("course.complete",)


ATTEMPT_ACTIONS = ("attempt.grade", "attempt.regrade")


ATTENDANCE_ACTIONS = ("cohort.attendance_mark",)


CERTIFICATE_ACTIONS = (
    "certificate.create",
    "certificate.issue",
    "certificate.revoke",
    "certificate.suspend",
    "certificate.reinstate",
    "certificate.supersede",
    "certificate.reissue",
    "certificate.renew",
)


HASH_PREFIX = 12


COMMIT_PREFIX = 10


@dataclass(frozen=True)
class CourseLine:
    enrollment_id: int
    course: str
    enrolled_at: datetime
    completed_at: datetime | None
    content_version: str  # fingerprint of the lesson versions read (enrollment_content_version)
    lessons_done: int
    lessons_total: int
    audit_id: int | None  # course.complete when completed, else enrollment.create


@dataclass(frozen=True)
class ModuleLine:
    course: str
    module: str
    category: str
    lessons_done: int
    lessons_total: int
    completed_at: datetime | None  # the last lesson read, once all are
    audit_id: int | None  # the event of that last lesson


@dataclass(frozen=True)
class LessonLine:
    progress_id: int
    course: str
    module: str
    lesson: str
    completed_at: datetime
    version: int
    content_hash: str  # prefix
    git_commit: str  # prefix
    minutes: int
    audit_id: int | None


@dataclass(frozen=True)
class QuizLine:
    quiz: str
    course: str
    module: str
    attempts: int
    best_score: Decimal | None
    last_attempt_at: datetime | None
    passed_at: datetime | None
    audit_id: int | None  # the passing attempt's grade, else the last attempt's


@dataclass(frozen=True)
class LabLine:
    attempt_id: int
    quiz: str
    question: str
    submitted_at: datetime
    score: Decimal  # percent of the question
    steps: int  # steps in the officer's trace
    audit_id: int | None


@dataclass(frozen=True)
class SessionLine:
    cohort: str
    title: str
    date: object  # the venue's date
    start_time: object
    end_time: object
    time_zone: str
    status: str  # an Attendance.Status value, "" when not marked
    status_label: str
    cancelled: bool
    hours: Decimal
    audit_id: int | None


@dataclass(frozen=True)
class CertificateLine:
    serial: str
    revision: int
    course: str
    issued_at: datetime | None
    valid_until: datetime | None
    status: str  # issued, suspended, revoked, expired, superseded, pending, failed
    status_label: str
    audit_id: int | None


@dataclass(frozen=True)
class HoursLine:
    category: str
    label: str
    hours: Decimal


@dataclass
class TrainingRecord:
    officer: User
    courses: list[CourseLine] = field(default_factory=list)
    modules: list[ModuleLine] = field(default_factory=list)
    lessons: list[LessonLine] = field(default_factory=list)
    quizzes: list[QuizLine] = field(default_factory=list)
    labs: list[LabLine] = field(default_factory=list)
    sessions: list[SessionLine] = field(default_factory=list)
    certificates: list[CertificateLine] = field(default_factory=list)
    hours: list[HoursLine] = field(default_factory=list)

    @property
    def total_hours(self) -> Decimal:
        return sum((line.hours for line in self.hours), Decimal(0))


def _content_version(hashes: list[tuple[int, str]]) -> str:
    """courses.selectors.enrollment_content_version, from rows already read (that function
    reads them itself, a query per enrollment; a test keeps the two equal)."""
    digest = hashlib.sha256()
    for lesson_id, content_hash in sorted(hashes):
        digest.update(f"{lesson_id}:{content_hash};".encode())
    return digest.hexdigest()[:32]


def certificate_status(certificate: Certificate, now=None) -> str:
    """issued / suspended / revoked / expired / superseded (or pending / failed)."""
    if certificate.status == Certificate.Status.ISSUED and certificate.is_expired(now):
        return "expired"
    return certificate.status


def certificate_status_label(status: str) -> str:
    if status == "expired":
        return _("Expired")
    return str(Certificate.Status(status).label)
