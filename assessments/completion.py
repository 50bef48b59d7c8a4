"""A course is complete only when every module quiz has a passing graded attempt, and the
officer may still open every quiz (a lapsed or departed officer's old passes do not finish it).
"""

from assessments.models import Attempt, Quiz
from courses.access import open_access_levels
from courses.completion import register_completion_requirement
from courses.models import ContentAccess, Enrollment


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
    # One vetting check for all the course's quizzes, and none when every quiz is public.
    return levels <= {ContentAccess.PUBLIC} or levels <= open_access_levels(user=enrollment.user)


register_completion_requirement(quizzes_passed)
register_completion_requirement(quizzes_open)
