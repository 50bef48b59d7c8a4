"""Quiz pages: the quiz overview, taking an attempt, and its result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.access import access_attempt, access_quiz
from assessments.forms import AttemptForm
from assessments.models import Attempt
from assessments.selectors import attempt_questions, quiz_attempts, quiz_translation
from assessments.services import attempt_start, attempt_submit


@login_required
def quiz_detail(request, course_slug: str, module_slug: str):
    quiz, enrollment = access_quiz(
        user=request.user, course_slug=course_slug, module_slug=module_slug
    )
    attempts = list(quiz_attempts(user=request.user, quiz=quiz))
    translation = quiz_translation(quiz=quiz, language=get_language())
    context = {
        "quiz": quiz,
        "title": translation.title if translation else quiz.title,
        "course": enrollment.course,
        "attempts": attempts,
        "question_count": quiz.draw or quiz.questions.count(),
        "has_passed": any(a.passed for a in attempts),
    }
    return render(request, "assessments/quiz_detail.html", context)


@login_required
@require_POST
def quiz_start(request, course_slug: str, module_slug: str):
    quiz, enrollment = access_quiz(
        user=request.user, course_slug=course_slug, module_slug=module_slug
    )
    attempt = attempt_start(user=request.user, quiz=quiz, enrollment=enrollment, request=request)
    return redirect("assessments:attempt", attempt_id=attempt.pk)


@login_required
def attempt_take(request, attempt_id: int):
    attempt = access_attempt(user=request.user, attempt_id=attempt_id)
    if attempt.status == Attempt.Status.GRADED:
        return redirect("assessments:result", attempt_id=attempt.pk)
    questions = attempt_questions(attempt=attempt)
    translation = quiz_translation(quiz=attempt.quiz, language=get_language())
    form = AttemptForm(
        request.POST or None,
        questions=questions,
        texts=translation.questions if translation else None,
    )
    if request.method == "POST" and form.is_valid():
        attempt, graded_now = attempt_submit(
            attempt_id=attempt.pk,
            user=request.user,
            raw_answers=form.raw_answers(),
            request=request,
        )
        if graded_now and attempt.passed:
            attempt.enrollment.refresh_from_db(fields=["completed_at"])
            if attempt.enrollment.completed_at:
                messages.success(request, _("Course complete. Your certificate is being prepared."))
        return redirect("assessments:result", attempt_id=attempt.pk)
    return render(
        request,
        "assessments/attempt_take.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "title": translation.title if translation else attempt.quiz.title,
            "form": form,
        },
    )


@login_required
def attempt_result(request, attempt_id: int):
    attempt = access_attempt(user=request.user, attempt_id=attempt_id)
    if attempt.status != Attempt.Status.GRADED:
        return redirect("assessments:attempt", attempt_id=attempt.pk)
    questions = attempt_questions(attempt=attempt)
    translation = quiz_translation(quiz=attempt.quiz, language=get_language())
    texts = translation.questions if translation else {}
    review = []
    for question in questions:
        local = texts.get(question.key, {})
        chosen = set(attempt.answers.get(question.key, []))
        review.append(
            {
                "key": question.key,
                "prompt": local.get("prompt") or question.prompt,
                "explanation": local.get("explanation") or question.explanation,
                "choices": [
                    {
                        "text": local.get("choices", {}).get(c["key"], c["text"]),
                        "chosen": c["key"] in chosen,
                        "correct": c.get("correct", False),
                    }
                    for c in question.choices
                ],
                "is_right": chosen == question.correct_keys,
            }
        )
    return render(
        request,
        "assessments/attempt_result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "course": attempt.quiz.module.course,
            "title": translation.title if translation else attempt.quiz.title,
            "review": review,
        },
    )
