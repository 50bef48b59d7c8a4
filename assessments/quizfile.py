"""The quiz.yaml file kept beside a module's lessons: validation and import."""

from django.db import transaction

from assessments.models import Question, Quiz
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
        if key not in {"slug", "title", "pass_mark", "questions"}:
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


register_module_file("quiz.yaml", ModuleFileHandler(validate=quiz_validate, sync=quiz_sync))
