"""Course pages: catalog, course outline with progress, lessons, enroll and complete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.access import access_course, access_enrollment, access_lesson
from courses.completion import requirements_met
from courses.selectors import course_catalog, course_outline, course_progress, enrollment_for
from courses.services import enrollment_create, lesson_complete


@login_required
def catalog(request):
    courses = list(course_catalog())
    enrolled = {e.course_id for e in request.user.enrollments.all()}
    return render(request, "courses/catalog.html", {"courses": courses, "enrolled": enrolled})


@login_required
def course_detail(request, course_slug: str):
    course = access_course(user=request.user, course_slug=course_slug)
    enrollment = enrollment_for(user=request.user, course=course)
    progress = course_progress(course=course, enrollment=enrollment)
    context = {
        "course": course,
        "modules": course_outline(course=course),
        "enrollment": enrollment,
        "progress": progress,
        "total_minutes": sum(lesson.minutes for lesson in progress.lessons),
    }
    return render(request, "courses/course_detail.html", context)


@login_required
@require_POST
def enroll(request, course_slug: str):
    course = access_course(user=request.user, course_slug=course_slug)
    enrollment_create(user=request.user, course=course, request=request)
    messages.success(request, _("You are enrolled. Start with the first lesson below."))
    return redirect("courses:resume", course_slug=course.slug)


@login_required
def resume(request, course_slug: str):
    enrollment = access_enrollment(user=request.user, course_slug=course_slug)
    next_lesson = course_progress(course=enrollment.course, enrollment=enrollment).next_lesson
    if next_lesson is None:
        return redirect(enrollment.course.get_absolute_url())
    return redirect(next_lesson.get_absolute_url())


@login_required
def lesson_detail(request, course_slug: str, module_slug: str, lesson_slug: str):
    lesson, enrollment = access_lesson(
        user=request.user, course_slug=course_slug, module_slug=module_slug, lesson_slug=lesson_slug
    )
    if lesson.current_version is None:
        raise Http404
    progress = course_progress(course=enrollment.course, enrollment=enrollment)
    lessons = progress.lessons
    index = next(i for i, item in enumerate(lessons) if item.pk == lesson.pk)
    context = {
        "course": enrollment.course,
        "lesson": lesson,
        "version": lesson.current_version,
        "is_done": lesson.pk in progress.done_ids,
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        "position": index + 1,
        "progress": progress,
    }
    return render(request, "courses/lesson_detail.html", context)


@login_required
@require_POST
def lesson_mark_complete(request, course_slug: str, module_slug: str, lesson_slug: str):
    lesson, enrollment = access_lesson(
        user=request.user, course_slug=course_slug, module_slug=module_slug, lesson_slug=lesson_slug
    )
    if lesson.current_version is None:
        raise Http404
    lesson_complete(enrollment=enrollment, lesson=lesson, request=request)
    enrollment.refresh_from_db(fields=["completed_at"])
    if enrollment.completed_at:
        messages.success(request, _("Course complete. Your certificate is being prepared."))
        return redirect("dashboard")
    next_lesson = course_progress(course=enrollment.course, enrollment=enrollment).next_lesson
    if next_lesson is not None:
        return redirect(next_lesson.get_absolute_url())
    if not requirements_met(enrollment):
        messages.info(request, _("All lessons read. Pass the module quizzes to finish the course."))
    return redirect(enrollment.course.get_absolute_url())
