"""What completing a cohort takes, per seat: prerequisites, attendance and the assessment, in
a fixed number of queries."""

from collections import defaultdict

from django.db.models import Count

from assessments.models import Attempt, Quiz
from cohorts.models import Attendance, Cohort, Seat, Session
from courses.models import Enrollment, Lesson, LessonProgress


def cohort_completion_facts(*, cohort: Cohort, seats: list[Seat]) -> dict[int, dict]:
    """For each seat: prerequisites done, attendance (sessions attended, percent), the
    assessment passed, and whether that completes the cohort. Seven queries, whatever the
    number of seats."""
    user_ids = [seat.user_id for seat in seats]
    sessions = list(
        Session.objects.filter(cohort=cohort, is_cancelled=False).values_list("pk", flat=True)
    )
    attended = dict(
        Attendance.objects.filter(
            seat__in=[seat.pk for seat in seats],
            session_id__in=sessions,
            status__in=Attendance.ATTENDED,
        )
        .values("seat_id")
        .annotate(n=Count("pk"))
        .values_list("seat_id", "n")
    )
    module_ids = list(cohort.prerequisite_modules.values_list("pk", flat=True))
    lessons_by_module: dict[int, set[int]] = defaultdict(set)
    for lesson_id, module_id in Lesson.objects.filter(module_id__in=module_ids).values_list(
        "pk", "module_id"
    ):
        lessons_by_module[module_id].add(lesson_id)
    quizzes = dict(Quiz.objects.filter(module_id__in=module_ids).values_list("module_id", "pk"))
    wanted_quizzes = set(quizzes.values())
    if cohort.assessment_id:
        wanted_quizzes.add(cohort.assessment_id)
    passed: dict[int, set[int]] = defaultdict(set)
    for user_id, quiz_id in (
        Attempt.objects.filter(
            user_id__in=user_ids,
            quiz_id__in=wanted_quizzes,
            status=Attempt.Status.GRADED,
            passed=True,
        )
        .values_list("user_id", "quiz_id")
        .distinct()
    ):
        passed[user_id].add(quiz_id)
    done_lessons: dict[int, set[int]] = defaultdict(set)
    for user_id, lesson_id in LessonProgress.objects.filter(
        enrollment__user_id__in=user_ids,
        enrollment__course_id=cohort.course_id,
        lesson_id__in=[lid for ids in lessons_by_module.values() for lid in ids],
    ).values_list("enrollment__user_id", "lesson_id"):
        done_lessons[user_id].add(lesson_id)
    enrollments = {
        e.user_id: e
        for e in Enrollment.objects.filter(user_id__in=user_ids, course_id=cohort.course_id)
    }

    total = len(sessions)
    facts = {}
    for seat in seats:
        modules_done = [
            module_id
            for module_id in module_ids
            if lessons_by_module[module_id] <= done_lessons[seat.user_id]
            and (module_id not in quizzes or quizzes[module_id] in passed[seat.user_id])
        ]
        count = attended.get(seat.pk, 0)
        percent = round(100 * count / total) if total else 0
        prerequisites_done = len(modules_done) == len(module_ids)
        attendance_ok = total > 0 and count * 100 >= cohort.attendance_threshold * total
        assessment_ok = cohort.assessment_id is None or cohort.assessment_id in passed[seat.user_id]
        facts[seat.pk] = {
            "modules_done": len(modules_done),
            "modules_total": len(module_ids),
            "prerequisites_done": prerequisites_done,
            "sessions_attended": count,
            "sessions_total": total,
            "attendance_percent": percent,
            "attendance_ok": attendance_ok,
            "assessment_passed": assessment_ok,
            "complete": prerequisites_done and attendance_ok and assessment_ok,
            "enrollment": enrollments.get(seat.user_id),
        }
    return facts


def seat_completion_facts(*, seat: Seat) -> dict:
    return cohort_completion_facts(cohort=seat.cohort, seats=[seat])[seat.pk]
