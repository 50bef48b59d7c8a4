"""Course pages: catalog, course outline with progress, lessons, enroll and complete."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import vetting_state
from core.audit import AuditContext
from courses.access import (
    access_asset,
    access_course,
    access_course_to_read,
    access_enrollment,
    access_glossary,
    access_lesson,
    access_lesson_for_trainer,
    access_lesson_to_read,
    access_trainer_area,
    access_translation_for_trainer,
    agencies_administered,
    open_access_levels,
)
from courses.diff import source_diff
from courses.selectors import (
    completion_blocker,
    content_overview,
    course_catalog,
    course_progress,
    enrolled_course_ids,
    glossary_terms,
    lesson_objectives,
    lesson_progress,
    lesson_translation,
    lesson_translations,
    lesson_version,
    lesson_versions,
    locked_parts,
    refreshers_for_agencies,
    stale_translations,
    translation_changes,
)
from courses.services import enrollment_create, lesson_complete, lesson_refresh_complete


@login_required
def catalog(request):
    courses = list(course_catalog())
    enrolled = enrolled_course_ids(user=request.user)
    return render(request, "courses/catalog.html", {"courses": courses, "enrolled": enrolled})


@login_required
def course_detail(request, course_slug: str):
    course, enrollment = access_course_to_read(user=request.user, course_slug=course_slug)
    open_levels = open_access_levels(user=request.user)
    progress = course_progress(course=course, enrollment=enrollment, open_levels=open_levels)
    locked = locked_parts(outline=progress.outline, open_levels=open_levels)
    context = {
        "course": course,
        "modules": progress.outline.modules,
        "enrollment": enrollment,
        "progress": progress,
        "open_levels": open_levels,
        "locked": locked,
        # Why the locked parts are locked and who can open them; asked only when needed.
        "vetting": vetting_state(user=request.user) if locked else None,
        "total_minutes": progress.minutes,
        "outline_key": progress.outline_key(enrolled=enrollment is not None),
    }
    return render(request, "courses/course_detail.html", context)


@login_required
@require_POST
def enroll(request, course_slug: str):
    course = access_course(user=request.user, course_slug=course_slug)
    enrollment_create(user=request.user, course=course, context=AuditContext.from_request(request))
    messages.success(request, _("You are enrolled. Start with the first lesson below."))
    return redirect("courses:resume", course_slug=course.slug)


@login_required
def resume(request, course_slug: str):
    enrollment = access_enrollment(user=request.user, course_slug=course_slug)
    next_lesson = course_progress(
        course=enrollment.course,
        enrollment=enrollment,
        open_levels=open_access_levels(user=request.user),
    ).next_lesson
    if next_lesson is None:
        return redirect(enrollment.course.get_absolute_url())
    return redirect(next_lesson.get_absolute_url())


@login_required
def lesson_detail(request, course_slug: str, module_slug: str, lesson_slug: str):
    language = get_language()
    wants_english = request.GET.get("lang") == "en"
    open_levels = open_access_levels(user=request.user)
    lesson, enrollment = access_lesson_to_read(
        user=request.user,
        course_slug=course_slug,
        module_slug=module_slug,
        lesson_slug=lesson_slug,
        language="en" if wants_english else language,
        open_levels=open_levels,
    )
    progress = course_progress(
        course=enrollment.course, enrollment=enrollment, open_levels=open_levels
    )
    previous, following = progress.open_neighbours(lesson)
    translation = lesson_translation(lesson=lesson)
    context = {
        "course": enrollment.course,
        "lesson": lesson,
        "version": lesson.current_version,
        "translation": translation,
        "objectives": lesson_objectives(lesson=lesson, translation=translation),
        "untranslated": language != "en" and translation is None and not wants_english,
        "is_done": progress.is_done(lesson),
        "needs_refresher": progress.needs_refresher(lesson),
        "previous": previous,
        "next": following,
        "position": progress.position(lesson),
        "progress": progress,
        "glossary_open": lesson.module.glossary_access in open_levels,
    }
    return render(request, "courses/lesson_detail.html", context)


@login_required
@require_POST
def lesson_mark_complete(request, course_slug: str, module_slug: str, lesson_slug: str):
    lesson, enrollment = access_lesson_to_read(
        user=request.user, course_slug=course_slug, module_slug=module_slug, lesson_slug=lesson_slug
    )
    lesson_complete(
        enrollment=enrollment, lesson=lesson, context=AuditContext.from_request(request)
    )
    enrollment.refresh_from_db(fields=["completed_at"])
    if enrollment.completed_at:
        messages.success(request, _("Course complete. Your certificate is being prepared."))
        return redirect("certificates:dashboard")
    progress = course_progress(
        course=enrollment.course,
        enrollment=enrollment,
        open_levels=open_access_levels(user=request.user),
    )
    if progress.next_lesson is not None:
        return redirect(progress.next_lesson.get_absolute_url())
    blocker = completion_blocker(enrollment=enrollment, progress=progress)
    if blocker == "vetting":
        messages.info(
            request,
            _(
                "You have read every lesson open to you. The others open, and the course can "
                "be completed, once your agency has vetted you."
            ),
        )
    elif blocker == "requirements":
        messages.info(request, _("All lessons read. Pass the module quizzes to finish the course."))
    return redirect(enrollment.course.get_absolute_url())


@login_required
@require_POST
def lesson_refresh(request, course_slug: str, module_slug: str, lesson_slug: str):
    lesson, enrollment = access_lesson(
        user=request.user, course_slug=course_slug, module_slug=module_slug, lesson_slug=lesson_slug
    )
    progress = lesson_progress(enrollment=enrollment, lesson=lesson)
    if progress is None:
        raise Http404
    lesson_refresh_complete(progress=progress, context=AuditContext.from_request(request))
    messages.success(request, _("Thank you. Your record now shows the current version."))
    return redirect(lesson.get_absolute_url())


@login_required
def glossary(request, course_slug: str, module_slug: str):
    module = access_glossary(user=request.user, course_slug=course_slug, module_slug=module_slug)
    course = module.course
    terms = glossary_terms(module=module, language=get_language())
    return render(
        request,
        "courses/glossary.html",
        {"course": course, "module": module, "terms": terms},
    )


@login_required
def media(request, course_slug: str, path: str):
    asset = access_asset(user=request.user, course_slug=course_slug, path=path)
    response = HttpResponse(bytes(asset.data), content_type=asset.content_type)
    # An SVG opened directly is a document: give it no power to run or fetch anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["ETag"] = f'"{asset.content_hash}"'
    return response


@login_required
def agency_refreshers(request):
    agency_ids = agencies_administered(user=request.user)
    if not agency_ids:
        raise Http404
    rows = list(refreshers_for_agencies(agency_ids=agency_ids))
    return render(request, "courses/agency_refreshers.html", {"rows": rows})


@login_required
def trainer_content(request):
    access_trainer_area(user=request.user)
    return render(
        request,
        "courses/trainer_content.html",
        {"lessons": list(content_overview()), "stale": stale_translations()},
    )


@login_required
def trainer_lesson(request, lesson_id: int):
    lesson = access_lesson_for_trainer(user=request.user, lesson_id=lesson_id)
    versions = list(lesson_versions(lesson=lesson))
    return render(
        request,
        "courses/trainer_lesson.html",
        {
            "lesson": lesson,
            "versions": versions,
            "translations": lesson_translations(lesson=lesson),
        },
    )


@login_required
def trainer_version(request, lesson_id: int, number: int):
    lesson = access_lesson_for_trainer(user=request.user, lesson_id=lesson_id)
    version = lesson_version(lesson=lesson, number=number)
    if version is None:
        raise Http404
    return render(request, "courses/trainer_version.html", {"lesson": lesson, "version": version})


@login_required
def trainer_diff(request, lesson_id: int):
    lesson = access_lesson_for_trainer(user=request.user, lesson_id=lesson_id)
    try:
        old_number = int(request.GET.get("from", ""))
        new_number = int(request.GET.get("to", ""))
    except ValueError:
        raise Http404 from None
    old = lesson_version(lesson=lesson, number=old_number)
    new = lesson_version(lesson=lesson, number=new_number)
    if old is None or new is None:
        raise Http404
    return render(
        request,
        "courses/trainer_diff.html",
        {
            "lesson": lesson,
            "old": old,
            "new": new,
            "lines": source_diff(old.source_text, new.source_text),
        },
    )


@login_required
def trainer_translation_changes(request, kind: str, translation_id: int):
    kind, translation = access_translation_for_trainer(
        user=request.user, kind_slug=kind, translation_id=translation_id
    )
    return render(
        request,
        "courses/trainer_translation_changes.html",
        {
            "kind": kind,
            "translation": translation,
            "title": kind.title(translation),
            "changes": translation_changes(kind=kind, translation=translation),
        },
    )
