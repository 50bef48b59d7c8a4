"""The quiz.yaml file kept beside a module's lessons: validation and import."""

from django.db import transaction

from assessments.models import Question, Quiz, QuizTranslation
from courses.content import (
    SLUG_RE,
    ContentError,
    Document,
    ModuleFileHandler,
    register_module_file,
)

QUESTION_KINDS = ("single", "multiple")


def quiz_validate(doc: Document) -> list[ContentError]:
    errors: list[ContentError] = []

    def error(message: str, *keys) -> None:
        errors.append(ContentError(doc.path, doc.line(*keys), message))

    data = doc.data
    for key in data:
        if key not in {"slug", "title", "pass_mark", "draw", "questions"}:
            error(f"unknown key '{key}'", key)
    for key, max_length in (("slug", 50), ("title", 200)):
        if not isinstance(data.get(key), str) or not data[key].strip():
            error(f"'{key}' is required text", key)
        elif len(data[key].strip()) > max_length:
            error(f"'{key}' must be at most {max_length} characters", key)
    if isinstance(data.get("slug"), str) and not SLUG_RE.match(data["slug"].strip()):
        error("slug must be lower-case letters, digits and hyphens", "slug")
    pass_mark = data.get("pass_mark")
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
        error("'pass_mark' must be a whole number from 1 to 100", "pass_mark")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        error("'questions' must be a non-empty list", "questions")
        return errors
    draw = data.get("draw")
    if draw is not None and (
        isinstance(draw, bool) or not isinstance(draw, int) or not 1 <= draw <= len(questions)
    ):
        error(f"'draw' must be a whole number from 1 to {len(questions)} (the pool size)", "draw")
    seen_keys: set[str] = set()
    for index, question in enumerate(questions):
        where = ("questions", index)
        if not isinstance(question, dict):
            error("each question must be a mapping", *where)
            continue
        for key in question:
            if key not in {"key", "type", "prompt", "choices", "explanation"}:
                error(f"unknown key '{key}'", *where, key)
        qkey = question.get("key")
        if not isinstance(qkey, str) or not qkey.strip():
            error("question 'key' is required", *where)
        elif qkey in seen_keys:
            error(f"duplicate question key '{qkey}'", *where, "key")
        else:
            seen_keys.add(qkey)
        kind = question.get("type")
        if kind not in QUESTION_KINDS:
            error(f"question 'type' must be one of {', '.join(QUESTION_KINDS)}", *where, "type")
        if not isinstance(question.get("prompt"), str) or not question["prompt"].strip():
            error("question 'prompt' is required text", *where)
        choices = question.get("choices")
        if not isinstance(choices, list) or len(choices) < 2:
            error("a question needs at least two choices", *where, "choices")
            continue
        choice_keys: set[str] = set()
        correct = 0
        for cindex, choice in enumerate(choices):
            cwhere = (*where, "choices", cindex)
            if not isinstance(choice, dict):
                error("each choice must be a mapping", *cwhere)
                continue
            for key in choice:
                if key not in {"key", "text", "correct"}:
                    error(f"unknown key '{key}'", *cwhere, key)
            ckey = choice.get("key")
            if not isinstance(ckey, str) or not ckey.strip():
                error("choice 'key' is required", *cwhere)
            elif ckey in choice_keys:
                error(f"duplicate choice key '{ckey}'", *cwhere, "key")
            else:
                choice_keys.add(ckey)
            if not isinstance(choice.get("text"), str) or not choice["text"].strip():
                error("choice 'text' is required", *cwhere)
            flag = choice.get("correct", False)
            if not isinstance(flag, bool):
                error("choice 'correct' must be true or false", *cwhere, "correct")
            correct += flag is True
        if kind == "single" and correct != 1:
            error(
                f"a single-choice question needs exactly one correct choice, has {correct}", *where
            )
        if kind == "multiple" and correct < 1:
            error("a multiple-choice question needs at least one correct choice", *where)
    return errors


@transaction.atomic
def quiz_sync(*, module, doc: Document | None) -> str:
    """Import one module's quiz; answers are stored by question key, so keys must stay stable."""
    quiz = Quiz.objects.filter(module=module).first()
    if doc is None:
        if quiz is None:
            return "absent"
        quiz.delete()
        return "updated"
    if quiz is not None and quiz.content_hash == doc.content_hash:
        return "unchanged"
    data = doc.data
    status = "created" if quiz is None else "updated"
    quiz = quiz or Quiz(module=module)
    quiz.slug = data["slug"]
    quiz.title = data["title"].strip()
    quiz.pass_mark = data["pass_mark"]
    quiz.draw = data.get("draw")
    quiz.source_path = doc.path
    quiz.content_hash = doc.content_hash
    quiz.full_clean()
    quiz.save()
    keys = []
    for order, item in enumerate(data["questions"], start=1):
        keys.append(item["key"])
        Question.objects.update_or_create(
            quiz=quiz,
            key=item["key"],
            defaults={
                "order": order,
                "kind": item["type"],
                "prompt": item["prompt"].strip(),
                "explanation": (item.get("explanation") or "").strip(),
                "choices": [
                    {
                        "key": c["key"],
                        "text": c["text"].strip(),
                        "correct": c.get("correct") is True,
                    }
                    for c in item["choices"]
                ],
            },
        )
    Question.objects.filter(quiz=quiz).exclude(key__in=keys).delete()
    return status


def quiz_translation_validate(doc: Document, english: Document) -> list[ContentError]:
    """Every English question and choice key must be translated; nothing else may appear."""
    errors: list[ContentError] = []

    def error(message: str, *keys) -> None:
        errors.append(ContentError(doc.path, doc.line(*keys), message))

    if not isinstance(doc.data.get("title"), str) or not doc.data["title"].strip():
        error("'title' is required text", "title")
    english_questions = {
        q["key"]: {c["key"] for c in q.get("choices", []) if isinstance(c, dict) and "key" in c}
        for q in english.data.get("questions", [])
        if isinstance(q, dict) and "key" in q
    }
    questions = doc.data.get("questions")
    if not isinstance(questions, list):
        error("'questions' must be a list", "questions")
        return errors
    seen = set()
    for index, item in enumerate(questions):
        where = ("questions", index)
        if not isinstance(item, dict) or item.get("key") not in english_questions:
            error("each question needs the 'key' of an English question", *where)
            continue
        seen.add(item["key"])
        for key in item:
            if key not in {"key", "prompt", "choices", "explanation"}:
                error(f"unknown key '{key}'", *where, key)
        if not isinstance(item.get("prompt"), str) or not item["prompt"].strip():
            error("question 'prompt' is required text", *where)
        choices = item.get("choices")
        if not isinstance(choices, dict) or set(choices) != english_questions[item["key"]]:
            error(
                f"'choices' must translate exactly the choices {', '.join(sorted(english_questions[item['key']]))}",
                *where,
                "choices",
            )
    missing = sorted(set(english_questions) - seen)
    if missing:
        error(f"questions not translated: {', '.join(missing)}", "questions")
    return errors


def quiz_translations_sync(*, module, translations: dict) -> None:
    quiz = Quiz.objects.filter(module=module).first()
    if quiz is None:
        return
    for language, translation in translations.items():
        data = translation.doc.data
        QuizTranslation.objects.update_or_create(
            quiz=quiz,
            language=language,
            defaults={
                "title": data["title"].strip(),
                "questions": {
                    item["key"]: {
                        "prompt": item["prompt"].strip(),
                        "choices": {k: str(v).strip() for k, v in item["choices"].items()},
                        "explanation": (item.get("explanation") or "").strip(),
                    }
                    for item in data["questions"]
                },
                "source_path": translation.doc.path,
                "content_hash": translation.doc.content_hash,
                "source_hash": translation.source_hash,
                "is_stale": translation.is_stale,
            },
        )
    QuizTranslation.objects.filter(quiz=quiz).exclude(language__in=list(translations)).delete()


register_module_file(
    "quiz.yaml",
    ModuleFileHandler(
        validate=quiz_validate,
        sync=quiz_sync,
        validate_translation=quiz_translation_validate,
        sync_translations=quiz_translations_sync,
    ),
)
