"""Quiz pages: the overview, taking an attempt (with autosave and a server-side time limit),
and the result, whose feedback follows the quiz's policy."""

import hashlib
import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.access import access_attempt, access_attempt_to_take, access_quiz
from assessments.forms import AttemptForm
from assessments.grading import question_score
from assessments.models import Attempt
from assessments.questions import question_type
from assessments.selectors import (
    attempt_questions,
    attempt_quiz_translation,
    attempt_saved_answers,
    quiz_attempts,
    quiz_translation,
)
from assessments.services import (
    AttemptNotAllowed,
    attempt_save_answers,
    attempt_start,
    attempt_start_problem,
    attempt_submit,
)
from core.audit import AuditContext
from courses.content_cache import cached_for_content
from courses.selectors import lessons_local

# How long the questions of an attempt, as last rendered, are kept for its next page view.
QUESTIONS_SECONDS = 60 * 60


@login_required
def quiz_detail(request, course_slug: str, module_slug: str):
    quiz, enrollment = access_quiz(
        user=request.user, course_slug=course_slug, module_slug=module_slug
    )
    attempts = list(quiz_attempts(user=request.user, quiz=quiz))
    translation = quiz_translation(quiz=quiz, language=get_language())
    has_open = any(a.status == Attempt.Status.IN_PROGRESS for a in attempts)
    context = {
        "quiz": quiz,
        "title": translation.title if translation else quiz.title,
        "course": enrollment.course,
        "attempts": attempts,
        "question_count": quiz.draw or quiz.questions.count(),
        "has_passed": any(a.passed for a in attempts),
        "start_problem": None if has_open else attempt_start_problem(user=request.user, quiz=quiz),
    }
    return render(request, "assessments/quiz_detail.html", context)


@login_required
@require_POST
def quiz_start(request, course_slug: str, module_slug: str):
    quiz, enrollment = access_quiz(
        user=request.user, course_slug=course_slug, module_slug=module_slug
    )
    try:
        attempt = attempt_start(
            user=request.user,
            quiz=quiz,
            enrollment=enrollment,
            context=AuditContext.from_request(request),
        )
    except AttemptNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("assessments:quiz", course_slug=course_slug, module_slug=module_slug)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


def _attempt_to_take(request, attempt_id: int) -> Attempt:
    """The attempt, with its quiz's translation in the viewer's language joined."""
    return access_attempt_to_take(user=request.user, attempt_id=attempt_id, language=get_language())


def _attempt_form(attempt: Attempt, data=None, saved: dict | None = None) -> AttemptForm:
    """The form of an attempt read by _attempt_to_take."""
    translation = attempt_quiz_translation(attempt=attempt)
    return AttemptForm(
        data,
        questions=attempt_questions(attempt=attempt),
        seed=attempt.seed,
        texts=translation.questions if translation else None,
        saved=attempt_saved_answers(attempt=attempt) if saved is None else saved,
    )


def _questions_html(attempt: Attempt, form: AttemptForm) -> SafeString:
    return render_to_string(
        "assessments/attempt_questions.html", {"attempt": attempt, "form": form}
    )


@dataclass(frozen=True)
class _RenderedQuestions:
    html: str
    generation: str


def _cached_questions_html(attempt: Attempt) -> SafeString:
    """The attempt's questions with the answers saved so far, as HTML: rendering their
    fields (a template per radio button) was most of the page's cost. Kept per attempt,
    language and saved answers (an autosave changes the key), and per content generation
    (sync_content may reword a question); only ever read after the attempt's access check.
    Holds no CSRF token: the form's token is outside it."""
    saved = attempt_saved_answers(attempt=attempt)
    answers = hashlib.sha256(json.dumps(saved, sort_keys=True).encode()).hexdigest()[:24]
    key = f"assessments:attempt-questions:{attempt.pk}:{get_language()}:{answers}"

    def build(generation: str) -> _RenderedQuestions:
        form = _attempt_form(attempt, saved=saved)
        return _RenderedQuestions(html=str(_questions_html(attempt, form)), generation=generation)

    entry = cached_for_content(key, build, timeout=QUESTIONS_SECONDS)
    return mark_safe(entry.html)  # noqa: S308  (rendered by the template engine above)


@login_required
def attempt_take(request, attempt_id: int):
    attempt = _attempt_to_take(request, attempt_id)
    if attempt.status == Attempt.Status.GRADED:
        return redirect("assessments:result", attempt_id=attempt.pk)
    translation = attempt_quiz_translation(attempt=attempt)
    # A POST without a single field (no answer given) shows the form again, as before.
    form = _attempt_form(attempt, request.POST or None) if request.method == "POST" else None
    if form is not None and form.is_valid():
        attempt, graded_now = attempt_submit(
            attempt_id=attempt.pk,
            user=request.user,
            raw_answers=form.raw_answers(),
            context=AuditContext.from_request(request),
        )
        if graded_now and attempt.passed:
            attempt.enrollment.refresh_from_db(fields=["completed_at"])
            if attempt.enrollment.completed_at:
                messages.success(request, _("Course complete. Your certificate is being prepared."))
        return redirect("assessments:result", attempt_id=attempt.pk)
    seconds_left = None
    if attempt.deadline:
        seconds_left = max(0, int((attempt.deadline - timezone.now()).total_seconds()))
    return render(
        request,
        "assessments/attempt_take.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "title": translation.title if translation else attempt.quiz.title,
            "form": form,
            "questions_html": (
                _cached_questions_html(attempt) if form is None else _questions_html(attempt, form)
            ),
            "seconds_left": seconds_left,
        },
    )


@login_required
@require_POST
def attempt_save(request, attempt_id: int):
    """Autosave from the quiz page's script: the same form fields, answered as JSON."""
    attempt = _attempt_to_take(request, attempt_id)
    form = _attempt_form(attempt, request.POST)
    if not form.is_valid():
        return JsonResponse(
            {"saved": 0, "open": True, "errors": form.errors.get_json_data()}, status=400
        )
    saved, is_open = attempt_save_answers(
        attempt_id=attempt.pk, user=request.user, answers=form.raw_answers()
    )
    return JsonResponse(
        {"saved": saved, "open": is_open, "at": timezone.now().isoformat()},
        status=200 if is_open else 409,
    )


def feedback_visible(attempt: Attempt) -> bool:
    """Whether the result may show right answers and explanations (the quiz's policy):
    after_close once the quiz has closed; after_pass once the learner has passed this quiz
    or used every attempt of its limit, so retakes cannot be answered from earlier reviews."""
    quiz = attempt.quiz
    if quiz.feedback == "after_close":
        return quiz.closes_at is not None and timezone.now() >= quiz.closes_at
    if quiz.feedback == "after_pass":
        attempts = Attempt.objects.filter(user_id=attempt.user_id, quiz=quiz)
        if attempts.filter(passed=True).exists():
            return True
        return quiz.max_attempts is not None and attempts.count() >= quiz.max_attempts
    return True


@login_required
def attempt_result(request, attempt_id: int):
    attempt = access_attempt(user=request.user, attempt_id=attempt_id)
    if attempt.status != Attempt.Status.GRADED:
        return redirect("assessments:attempt", attempt_id=attempt.pk)
    translation = quiz_translation(quiz=attempt.quiz, language=get_language())
    show_feedback = feedback_visible(attempt)
    review, revisit = [], []
    if show_feedback:
        texts = translation.questions if translation else {}
        for question in attempt_questions(attempt=attempt):
            review.append(_review_item(question, attempt, texts.get(question.key, {})))
    elif attempt.quiz.feedback == "after_pass":
        revisit = _objectives_to_revisit(attempt)
    return render(
        request,
        "assessments/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "course": attempt.quiz.module.course,
            "title": translation.title if translation else attempt.quiz.title,
            "review": review,
            "show_feedback": show_feedback,
            "revisit": revisit,
        },
    )


def _graded_score(question, attempt: Attempt) -> float:
    """The question's score as graded, or, for attempts graded before per-question scores
    were kept, graded again from the stored answer."""
    score = attempt.question_scores.get(question.key)
    if score is None:
        score = question_score(question, attempt.answers.get(question.key))
    return score


def _objectives_to_revisit(attempt: Attempt) -> list[dict]:
    """The lesson objectives of the questions this attempt missed, each with its lesson, in
    course order: what to reread, without giving away the answers."""
    missed = set()
    for question in attempt_questions(attempt=attempt):
        if question.objective and _graded_score(question, attempt) < 1:
            missed.add(question.objective)
    lessons = list(attempt.quiz.module.lessons.order_by("order"))
    local = lessons_local(lessons=lessons, language=get_language())
    items = []
    for lesson in lessons:
        translation = local.get(lesson.pk)
        texts = (translation.objectives or {}) if translation else {}
        for objective in lesson.objectives or []:
            if objective.get("id") in missed:
                text = texts.get(objective["id"])
                items.append(
                    {
                        "text": text or objective["text"],
                        "english": not text and translation is not None,
                        "lesson": lesson,
                        "title": translation.title if translation else lesson.title,
                    }
                )
    return items


def _review_item(question, attempt: Attempt, local: dict) -> dict:
    value = attempt.answers.get(question.key)
    score = _graded_score(question, attempt)
    item = {
        "key": question.key,
        "kind": question.kind,
        "prompt": local.get("prompt") or question.prompt,
        "explanation": local.get("explanation") or question.explanation,
        "score": score,
        "is_right": score >= 1,
        "choices": [],
        "given": "",
        "expected": "",
    }
    item.update(question_type(question.kind).review(question, value, attempt.seed, local))
    return item
