"""Access checks for courses, lessons and enrollments: 404 for missing and forbidden alike."""

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.permissions import Action, agencies_for, can
from core.joins import join_one, joined
from core.prepared import prepared
from courses.models import ContentAccess, ContentAsset, Course, Enrollment, Lesson, Module
from courses.translations import TRANSLATION_KINDS


def access_course(*, user, course_slug: str) -> Course:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(Course, slug=course_slug, is_published=True)


@prepared
def _course_with_enrollment(*, user_id: int, course_slug: str) -> QuerySet[Course]:
    # One enrollment at most: it is unique per user and course.
    return join_one(
        Course.objects, name="viewer_enrollment", relation="enrollments", user=user_id
    ).filter(slug=course_slug, is_published=True)


def access_course_to_read(*, user, course_slug: str) -> tuple[Course, Enrollment | None]:
    """access_course, with the user's enrollment in it (None when not enrolled), in one query
    (a prepared read, core.prepared)."""
    if not user.is_authenticated:
        raise Http404
    found = _course_with_enrollment(user_id=user.pk, course_slug=course_slug)
    if not found:
        raise Http404
    course = found[0]
    enrollment = joined(course, "viewer_enrollment")
    if enrollment is not None:
        enrollment.course = course
    return course, enrollment


@prepared
def _enrollment_in(*, user_id: int, course_slug: str) -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related("course").filter(
        user_id=user_id, course__slug=course_slug, course__is_published=True
    )


def access_enrollment(*, user, course_slug: str) -> Enrollment:
    """The user's enrollment in a published course, or 404 (a prepared read)."""
    if not user.is_authenticated:
        raise Http404
    found = _enrollment_in(user_id=user.pk, course_slug=course_slug)
    if not found:
        raise Http404
    return found[0]


def open_access_levels(*, user) -> frozenset[str]:
    """The access levels of curriculum material this user may open: the one vetting gate.

    Public material: every signed-in learner. Law-enforcement-only material (lessons, their
    images, quizzes and their reviews, tracing labs, glossaries, knowledge checks, trainer
    previews): can(READ_LE_CONTENT), i.e. vetted officers (approved, not lapsed, not left),
    trainers, agency admins, coordinators and staff. One query; pages asking about many
    items call this once.
    """
    if not user.is_authenticated:
        return frozenset()
    if can(user, Action.READ_LE_CONTENT):
        return frozenset(ContentAccess.values)
    return frozenset({ContentAccess.PUBLIC})


def content_access_allowed(*, user, level: str) -> bool:
    """May this user open material of this access level? Unknown levels count as locked."""
    if level == ContentAccess.PUBLIC:  # no query for the common case
        return user.is_authenticated
    return level in open_access_levels(user=user)


def access_lesson(
    *,
    user,
    course_slug: str,
    module_slug: str,
    lesson_slug: str,
    open_levels: frozenset[str] | None = None,
    language: str | None = None,
):
    """A lesson of a course the user is enrolled in, with that enrollment; lessons above
    public only after the vetting check (content_access_allowed). A page may pass the
    language to read the lesson as lessons_to_read(language) does (a prepared read), and the
    user's open_access_levels when it has them already, so the check asks nothing again."""
    enrollment = access_enrollment(user=user, course_slug=course_slug)
    if language is not None:
        from courses.selectors.lessons import lesson_to_read

        lesson = lesson_to_read(
            course_id=enrollment.course_id,
            module_slug=module_slug,
            lesson_slug=lesson_slug,
            language=language,
        )
        if lesson is None:
            raise Http404
    else:
        lesson = get_object_or_404(
            Lesson.objects.select_related("module__course", "current_version"),
            module__course=enrollment.course,
            module__slug=module_slug,
            slug=lesson_slug,
        )
    if open_levels is None:
        open_levels = open_access_levels(user=user)
    if lesson.access not in open_levels:
        raise Http404
    return lesson, enrollment


def access_lesson_to_read(**lookup):
    """access_lesson (the same arguments), and a lesson whose text was never imported is not
    there either."""
    lesson, enrollment = access_lesson(**lookup)
    if lesson.current_version is None:
        raise Http404
    return lesson, enrollment


def lesson_access_allowed(*, user) -> bool:
    """May this user read law-enforcement-only material? Vetted officers (approval not
    lapsed, not left), trainers, admins, coordinators and staff."""
    return can(user, Action.READ_LE_CONTENT)


def access_glossary(*, user, course_slug: str, module_slug: str) -> Module:
    """A module's glossary page; a glossary above public only after the vetting check."""
    course = access_course(user=user, course_slug=course_slug)
    module = get_object_or_404(
        Module.objects.select_related("course"), course=course, slug=module_slug
    )
    if not content_access_allowed(user=user, level=module.glossary_access):
        raise Http404
    return module


def access_trainer_area(*, user) -> None:
    """Trainers and programme staff only; everyone else gets the same 404. Trainer pages
    show law-enforcement-only material (previews, answer keys), so the vetting check applies
    too, whatever the role matrix says about previewing."""
    if not (can(user, Action.PREVIEW_CONTENT) and lesson_access_allowed(user=user)):
        raise Http404


def access_lesson_for_trainer(*, user, lesson_id: int) -> Lesson:
    access_trainer_area(user=user)
    return get_object_or_404(
        Lesson.objects.select_related("module__course", "current_version"), pk=lesson_id
    )


def access_translation_for_trainer(*, user, kind_slug: str, translation_id: int):
    """A translated file's row (lesson, module, glossary or quiz) and its kind, for trainers."""
    access_trainer_area(user=user)
    kind = TRANSLATION_KINDS.get(kind_slug)
    if kind is None:
        raise Http404
    translation = get_object_or_404(
        kind.model.objects.select_related(*kind.related), pk=translation_id
    )
    return kind, translation


def access_asset(*, user, course_slug: str, path: str):
    """An image from content/: any signed-in learner for public lessons' images; images
    used only by law-enforcement-only lessons need the vetting check."""
    course = access_course(user=user, course_slug=course_slug)
    asset = get_object_or_404(ContentAsset, course=course, path=path)
    if not content_access_allowed(user=user, level=asset.access):
        raise Http404
    return asset


def agencies_administered(*, user) -> list[int]:
    """The agencies whose refreshers this user may see (admins, coordinators, staff)."""
    return list(agencies_for(user, Action.VIEW_REFRESHERS).values_list("pk", flat=True))
