"""A course is complete only when every module quiz has a passing graded attempt, and the
officer may still open every quiz (a lapsed or departed officer's old passes do not finish it).
"""

from assessments.models import Attempt, Quiz
from courses.access import content_access_allowed
from courses.completion import register_completion_requirement
from courses.models import Enrollment


def quizzes_passed(enrollment: Enrollment) -> bool:
    quiz_ids = set(
        Quiz.objects.filter(module__course_id=enrollment.course_id).values_list("id", flat=True)
    )
    passed = set(
        Attempt.objects.filter(
            enrollment=enrollment, status=Attempt.Status.GRADED, passed=True
        ).values_list("quiz_id", flat=True)
    )
    return quiz_ids <= passed


def quizzes_open(enrollment: Enrollment) -> bool:
    levels = set(
        Quiz.objects.filter(module__course_id=enrollment.course_id).values_list("access", flat=True)
    )
    return all(content_access_allowed(user=enrollment.user, level=level) for level in levels)


register_completion_requirement(quizzes_passed)
register_completion_requirement(quizzes_open)
