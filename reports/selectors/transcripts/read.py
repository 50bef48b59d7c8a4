"""Reading an officer's training record: every completion, attempt, lab result, session, certificate and hours, with the audit event behind each line, in a fixed number of queries; the agency it belongs to; the signed transcripts a viewer asked for."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, AuditEvent, Membership, User
from assessments.models import Attempt, LabTrace, Question
from certificates.models import Certificate
from cohorts.models import Attendance, Seat, Session
from courses.models import Enrollment, LessonProgress, Module, TrainingCategory
from reports.models import Transcript
from reports.selectors.hours import TOTAL, UNCATEGORISED, hours_by_category
from reports.selectors.transcripts.record import (
    ATTEMPT_ACTIONS,
    ATTENDANCE_ACTIONS,
    CERTIFICATE_ACTIONS,
    COMMIT_PREFIX,
    COMPLETION_ACTIONS,
    ENROLLMENT_ACTIONS,
    HASH_PREFIX,
    LESSON_ACTIONS,
    CertificateLine,
    CourseLine,
    HoursLine,
    LabLine,
    LessonLine,
    ModuleLine,
    QuizLine,
    SessionLine,
    TrainingRecord,
    _content_version,
    certificate_status,
    certificate_status_label,
)


class _AuditIndex:
    """The newest event id per (target model, target id, group of actions), from one query."""

    def __init__(self, wanted: list[tuple[str, tuple[str, ...], list[int]]]):
        condition = Q(pk__in=[])
        for target_type, actions, ids in wanted:
            if ids:
                condition |= Q(
                    target_type=target_type,
                    action__in=actions,
                    target_id__in=[str(pk) for pk in ids],
                )
        self._ids: dict[tuple[str, str, str], int] = {}
        rows = (
            AuditEvent.objects.filter(condition)
            .order_by("id")
            .values_list("id", "target_type", "target_id", "action")
        )
        for event_id, target_type, target_id, action in rows:
            self._ids[(target_type, target_id, action)] = event_id

    def newest(self, target_type: str, target_id: int, actions: tuple[str, ...]) -> int | None:
        found = [self._ids.get((target_type, str(target_id), action)) for action in actions]
        found = [event_id for event_id in found if event_id is not None]
        return max(found) if found else None


def training_record(*, officer: User) -> TrainingRecord:
    """The whole training record of one officer, in 11 queries."""
    now = timezone.now()
    record = TrainingRecord(officer=officer)

    enrollments = list(
        Enrollment.objects.filter(user=officer)
        .select_related("course")
        .only("pk", "course_id", "enrolled_at", "completed_at", "course__title")
        .order_by("enrolled_at", "pk")
    )
    course_ids = [enrollment.course_id for enrollment in enrollments]
    modules = list(
        Module.objects.filter(course_id__in=course_ids)
        .only("pk", "course_id", "title", "category", "order")
        .annotate(lesson_total=Count("lessons"))
        .order_by("course_id", "order", "pk")
    )
    progress = list(
        LessonProgress.objects.filter(enrollment__user=officer)
        .select_related("lesson", "version")
        .only(
            "pk",
            "enrollment_id",
            "lesson_id",
            "completed_at",
            "lesson__title",
            "lesson__module_id",
            "lesson__minutes",
            "version__number",
            "version__content_hash",
            "version__git_commit",
        )
        .order_by("completed_at", "pk")
    )
    attempts = list(
        Attempt.objects.filter(user=officer, status=Attempt.Status.GRADED)
        .select_related("quiz", "quiz__module", "quiz__module__course")
        .order_by("submitted_at", "pk")
    )
    lab_keys = set(
        Question.objects.filter(
            kind=Question.Kind.LAB,
            quiz_id__in=Attempt.objects.filter(user=officer).values("quiz_id"),
        ).values_list("quiz_id", "key")
    )
    trace_steps = {
        (attempt_id, key): len(steps or [])
        for attempt_id, key, steps in LabTrace.objects.filter(attempt__user=officer).values_list(
            "attempt_id", "question_key", "steps"
        )
    }
    attendance = Attendance.objects.filter(session=OuterRef("pk"), seat__user=officer)
    sessions = list(
        Session.objects.filter(
            Q(cohort__seats__user=officer, cohort__seats__status=Seat.Status.APPROVED)
            | Q(attendance__seat__user=officer)
        )
        .distinct()
        .select_related("cohort")
        .annotate(
            attendance_id=Subquery(attendance.values("pk")[:1]),
            attendance_status=Subquery(attendance.values("status")[:1]),
        )
        .order_by("starts_at", "pk")
    )
    certificates = list(
        Certificate.objects.filter(user=officer)
        .exclude(status=Certificate.Status.FAILED)
        .order_by("created_at", "pk")
    )
    hours = hours_by_category(user_ids=[officer.pk]).get(officer.pk, {})

    audit = _AuditIndex(
        [
            ("courses.lessonprogress", LESSON_ACTIONS, [p.pk for p in progress]),
            (
                "courses.enrollment",
                ENROLLMENT_ACTIONS + COMPLETION_ACTIONS,
                [e.pk for e in enrollments],
            ),
            ("assessments.attempt", ATTEMPT_ACTIONS, [a.pk for a in attempts]),
            (
                "cohorts.attendance",
                ATTENDANCE_ACTIONS,
                [s.attendance_id for s in sessions if s.attendance_id],
            ),
            ("certificates.certificate", CERTIFICATE_ACTIONS, [c.pk for c in certificates]),
        ]
    )

    # Lessons, and from them modules and courses.
    course_titles = {e.course_id: e.course.title for e in enrollments}
    module_by_id = {m.pk: m for m in modules}
    done_by_module: dict[int, list[LessonLine]] = defaultdict(list)
    hashes_by_enrollment: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in progress:
        module = module_by_id.get(row.lesson.module_id)
        line = LessonLine(
            progress_id=row.pk,
            course=course_titles.get(module.course_id, "") if module else "",
            module=module.title if module else "",
            lesson=row.lesson.title,
            completed_at=row.completed_at,
            version=row.version.number,
            content_hash=row.version.content_hash[:HASH_PREFIX],
            git_commit=row.version.git_commit[:COMMIT_PREFIX],
            minutes=row.lesson.minutes,
            audit_id=audit.newest("courses.lessonprogress", row.pk, LESSON_ACTIONS),
        )
        record.lessons.append(line)
        done_by_module[row.lesson.module_id].append(line)
        hashes_by_enrollment[row.enrollment_id].append((row.lesson_id, row.version.content_hash))

    lessons_by_course: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for module in modules:
        done = done_by_module.get(module.pk, [])
        complete = module.lesson_total > 0 and len(done) >= module.lesson_total
        last = max(done, key=lambda line: (line.completed_at, line.progress_id)) if done else None
        record.modules.append(
            ModuleLine(
                course=course_titles.get(module.course_id, ""),
                module=module.title,
                category=module.category,
                lessons_done=len(done),
                lessons_total=module.lesson_total,
                completed_at=last.completed_at if complete and last else None,
                audit_id=last.audit_id if complete and last else None,
            )
        )
        so_far = lessons_by_course[module.course_id]
        lessons_by_course[module.course_id] = (
            so_far[0] + len(done),
            so_far[1] + module.lesson_total,
        )

    for enrollment in enrollments:
        done, total = lessons_by_course[enrollment.course_id]
        actions = COMPLETION_ACTIONS if enrollment.completed_at else ENROLLMENT_ACTIONS
        record.courses.append(
            CourseLine(
                enrollment_id=enrollment.pk,
                course=enrollment.course.title,
                enrolled_at=enrollment.enrolled_at,
                completed_at=enrollment.completed_at,
                content_version=_content_version(hashes_by_enrollment.get(enrollment.pk, [])),
                lessons_done=done,
                lessons_total=total,
                audit_id=audit.newest("courses.enrollment", enrollment.pk, actions),
            )
        )

    # Quizzes: attempts per quiz; lab questions of graded attempts.
    by_quiz: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        by_quiz[attempt.quiz_id].append(attempt)
        for key in attempt.question_keys or []:
            if (attempt.quiz_id, key) not in lab_keys:
                continue
            score = Decimal(str((attempt.question_scores or {}).get(key, 0))) * 100
            record.labs.append(
                LabLine(
                    attempt_id=attempt.pk,
                    quiz=attempt.quiz.title,
                    question=key,
                    submitted_at=attempt.submitted_at,
                    score=score.quantize(Decimal("0.1")),
                    steps=trace_steps.get((attempt.pk, key), 0),
                    audit_id=audit.newest("assessments.attempt", attempt.pk, ATTEMPT_ACTIONS),
                )
            )
    for quiz_attempts in by_quiz.values():
        quiz = quiz_attempts[0].quiz
        passing = next((a for a in quiz_attempts if a.passed), None)
        last = quiz_attempts[-1]
        behind = passing or last
        record.quizzes.append(
            QuizLine(
                quiz=quiz.title,
                course=quiz.module.course.title,
                module=quiz.module.title,
                attempts=len(quiz_attempts),
                best_score=max(a.score for a in quiz_attempts),
                last_attempt_at=last.submitted_at,
                passed_at=passing.submitted_at if passing else None,
                audit_id=audit.newest("assessments.attempt", behind.pk, ATTEMPT_ACTIONS),
            )
        )

    labels = dict(Attendance.Status.choices)
    for session in sessions:
        status = session.attendance_status or ""
        attended = status in Attendance.ATTENDED and not session.is_cancelled
        length = Decimal(int((session.ends_at - session.starts_at).total_seconds())) / 3600
        if session.is_cancelled:
            label = _("Cancelled")
        elif status:
            label = str(labels[status])
        else:
            label = _("Not marked")
        record.sessions.append(
            SessionLine(
                cohort=session.cohort.title,
                title=session.title,
                date=session.date,
                start_time=session.start_time,
                end_time=session.end_time,
                time_zone=session.time_zone,
                status=status,
                status_label=label,
                cancelled=session.is_cancelled,
                hours=length if attended else Decimal(0),
                audit_id=(
                    audit.newest("cohorts.attendance", session.attendance_id, ATTENDANCE_ACTIONS)
                    if session.attendance_id
                    else None
                ),
            )
        )

    for certificate in certificates:
        status = certificate_status(certificate, now)
        record.certificates.append(
            CertificateLine(
                serial=certificate.serial,
                revision=certificate.revision,
                course=certificate.course_title,
                issued_at=certificate.issued_at,
                valid_until=certificate.valid_until,
                status=status,
                status_label=certificate_status_label(status),
                audit_id=audit.newest(
                    "certificates.certificate", certificate.pk, CERTIFICATE_ACTIONS
                ),
            )
        )

    category_labels = dict(TrainingCategory.choices)
    for category, value in sorted(hours.items()):
        if category == TOTAL:
            continue
        label = (
            str(category_labels[category])
            if category in category_labels
            else _("Uncategorised")
            if category == UNCATEGORISED
            else category
        )
        record.hours.append(HoursLine(category=category, label=label, hours=value))
    return record


def officer_agency(officer: User) -> Agency | None:
    """The agency an officer's record belongs to (for audit rows about it): their newest
    approved, else left, officer membership's agency."""
    membership = (
        Membership.objects.filter(
            user=officer,
            role=Membership.Role.OFFICER,
            status__in=[Membership.Status.APPROVED, Membership.Status.LEFT],
            agency__isnull=False,
        )
        .select_related("agency")
        .order_by("status", "-created_at")
        .first()
    )
    return membership.agency if membership else None


RECENT_TRANSCRIPTS = 5


def transcripts_requested(*, user: User, officer: User) -> list[Transcript]:
    """The newest signed PDF transcripts of this officer's record that this user asked for
    (only they may open them), newest first. One query."""
    return list(
        Transcript.objects.filter(user=officer, created_by=user).order_by("-created_at", "-pk")[
            :RECENT_TRANSCRIPTS
        ]
    )
