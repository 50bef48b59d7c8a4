"""One way for certificate tests to get a certificate: the officer reads every lesson, the
course is marked complete, and the pending certificate is rendered (signed) in-process."""

from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_create_for_completion, certificate_render
from courses.models import Lesson
from courses.services import enrollment_create, lesson_complete
from tests.factories import build_course


def issued_certificate(user, course=None, *, render: bool = True) -> Certificate:
    """An issued certificate of `course` (a one-lesson course when None); with
    render=False, still pending."""
    course = course or build_course(modules=1, lessons_per_module=1, questions=1)
    enrollment = enrollment_create(user=user, course=course)
    for lesson in Lesson.objects.filter(module__course=course):
        lesson_complete(enrollment=enrollment, lesson=lesson)
    enrollment.completed_at = timezone.now()
    enrollment.save()
    certificate = certificate_create_for_completion(enrollment=enrollment)
    return certificate_render(certificate_id=certificate.pk) if render else certificate
