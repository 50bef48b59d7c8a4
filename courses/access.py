"""Access checks for courses, lessons and enrollments: 404 for missing and forbidden alike."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import Action, agencies_for, can
from courses.models import ContentAsset, Course, Enrollment, Lesson


def access_course(*, user, course_slug: str) -> Course:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Course, slug=course_slug, is_published=True)


def access_enrollment(*, user, course_slug: str) -> Enrollment:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Enrollment.objects.select_related("course"),
        user=user,
        course__slug=course_slug,
        course__is_published=True,
    )


def access_lesson(*, user, course_slug: str, module_slug: str, lesson_slug: str):
    """A lesson of a course the user is enrolled in, with that enrollment.

    Lessons above public need a member of a law-enforcement agency (or staff); finer
    vetting arrives with the agencies issue.
    """
    enrollment = access_enrollment(user=user, course_slug=course_slug)
    lesson = get_object_or_404(
        Lesson.objects.select_related("module__course", "current_version"),
        module__course=enrollment.course,
        module__slug=module_slug,
        slug=lesson_slug,
    )
    if lesson.access != Lesson.Access.PUBLIC and not lesson_access_allowed(user=user):
        raise Http404
    return lesson, enrollment


def lesson_access_allowed(*, user) -> bool:
    """May this user read lessons marked law-enforcement-only or restricted? Vetted officers
    (approval not lapsed, not left), trainers, admins, coordinators and staff."""
    return can(user, Action.READ_LE_CONTENT)


def access_trainer_area(*, user) -> None:
    """Trainers and programme staff only; everyone else gets the same 404."""
    if not can(user, Action.PREVIEW_CONTENT):
        raise Http404


def access_lesson_for_trainer(*, user, lesson_id: int) -> Lesson:
    access_trainer_area(user=user)
    return get_object_or_404(
        Lesson.objects.select_related("module__course", "current_version"), pk=lesson_id
    )


def access_asset(*, user, course_slug: str, path: str):
    """An image from content/: any signed-in learner for public lessons' images; images
    used only by law-enforcement-only or restricted lessons need that access."""
    course = access_course(user=user, course_slug=course_slug)
    asset = get_object_or_404(ContentAsset, course=course, path=path)
    if asset.access != Lesson.Access.PUBLIC and not lesson_access_allowed(user=user):
        raise Http404
    return asset


def agencies_administered(*, user) -> list[int]:
    """The agencies whose refreshers this user may see (admins, coordinators, staff)."""
    return list(agencies_for(user, Action.VIEW_REFRESHERS).values_list("pk", flat=True))
