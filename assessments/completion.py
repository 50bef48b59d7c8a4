"""A course is complete only when every module quiz has a passing graded attempt."""

from assessments.models import Attempt, Quiz
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


register_completion_requirement(quizzes_passed)
