"""The quiz.yaml file kept beside a module's lessons: validation and import."""

from datetime import datetime

from django.db import transaction

from assessments.models import Question, Quiz, QuizTranslation
from assessments.questions import COMMON_KEYS, YamlCheck, question_type, question_types
from assessments.services import quiz_regrade
from courses.pipeline.source import (
    SLUG_RE,
    ContentError,
    Document,
    ModuleFileHandler,
    register_module_file,
)

QUIZ_KEYS = {
    "slug", "title", "pass_mark", "draw", "questions", "max_attempts", "cooldown_minutes",
    "time_limit_minutes", "feedback", "closes", "access", "attempts_per_day",
}  # fmt: skip
FEEDBACK_POLICIES = ("after_attempt", "after_close", "after_pass")


def _is_int(value, low: int, high: int) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and low <= value <= high


def _parse_closes(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else None
    return None


def _check_question(question: dict, check: YamlCheck) -> None:
    """The keys every question has, then the type's own (assessments.questions)."""
    qtype = question_type(question["type"])
    qtype.validate(question, check)
    if "points" in question and not _is_int(question["points"], 1, 100):
        check("'points' must be a whole number from 1 to 100", "points")
    flags = dict.fromkeys(flag for t in question_types() for flag in t.flags)
    for flag in ("partial", "shuffle", *flags):
        if flag in question and not isinstance(question[flag], bool):
            check(f"'{flag}' must be true or false", flag)
    if question.get("partial") and not qtype.partial_credit:
        kinds = [t.kind for t in question_types() if t.partial_credit]
        listed = ", ".join(kinds[:-1]) + " and " + kinds[-1] if len(kinds) > 1 else kinds[0]
        check(f"'partial' applies to {listed} questions", "partial")


def quiz_validate(doc: Document) -> list[ContentError]:
    errors: list[ContentError] = []

    def error(message: str, *keys) -> None:
        errors.append(ContentError(doc.path, doc.line(*keys), message))

    data = doc.data
    for key in data:
        if key not in QUIZ_KEYS:
            error(f"unknown key '{key}'", key)
    for key, max_length in (("slug", 50), ("title", 200)):
        if not isinstance(data.get(key), str) or not data[key].strip():
            error(f"'{key}' is required text", key)
        elif len(data[key].strip()) > max_length:
            error(f"'{key}' must be at most {max_length} characters", key)
    if isinstance(data.get("slug"), str) and not SLUG_RE.match(data["slug"].strip()):
        error("slug must be lower-case letters, digits and hyphens", "slug")
    if not _is_int(data.get("pass_mark"), 1, 100):
        error("'pass_mark' must be a whole number from 1 to 100", "pass_mark")
    for key, low, high in (
        ("max_attempts", 1, 100),
        ("attempts_per_day", 1, 100),
        ("cooldown_minutes", 0, 10080),
        ("time_limit_minutes", 1, 600),
    ):
        if key in data and not _is_int(data[key], low, high):
            error(f"'{key}' must be a whole number from {low} to {high}", key)
    feedback = data.get("feedback", "after_attempt")
    if feedback not in FEEDBACK_POLICIES:
        error(f"'feedback' must be one of {', '.join(FEEDBACK_POLICIES)}", "feedback")
    if "closes" in data and _parse_closes(data["closes"]) is None:
        error(
            "'closes' must be a date and time with a time zone, e.g. 2026-12-31T23:59:00+00:00",
            "closes",
        )
    if feedback == "after_close" and "closes" not in data:
        error("feedback after_close needs a 'closes' date and time", "feedback")
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        error("'questions' must be a non-empty list", "questions")
        return errors
    draw = data.get("draw")
    if draw is not None and not _is_int(draw, 1, len(questions)):
        error(f"'draw' must be a whole number from 1 to {len(questions)} (the pool size)", "draw")
    seen_keys: set[str] = set()
    for index, question in enumerate(questions):
        where = ("questions", index)
        if not isinstance(question, dict):
            error("each question must be a mapping", *where)
            continue
        kind = question.get("type")
        kinds = [qtype.kind for qtype in question_types()]
        if kind not in kinds:
            error(f"question 'type' must be one of {', '.join(kinds)}", *where, "type")
            continue
        for key in question:
            if key not in COMMON_KEYS | question_type(kind).keys:
                error(f"unknown key '{key}' for a {kind} question", *where, key)
        qkey = question.get("key")
        if not isinstance(qkey, str) or not qkey.strip():
            error("question 'key' is required", *where)
        elif qkey in seen_keys:
            error(f"duplicate question key '{qkey}'", *where, "key")
        else:
            seen_keys.add(qkey)
        if not isinstance(question.get("prompt"), str) or not question["prompt"].strip():
            error("question 'prompt' is required text", *where)
        objective = question.get("objective")
        if objective is not None and (
            not isinstance(objective, str) or not SLUG_RE.match(objective) or len(objective) > 50
        ):
            error("'objective' must be the id of a lesson objective in this module", *where)
        _check_question(question, YamlCheck(error, where))
    return errors


def question_fields(item: dict) -> dict:
    """The stored form of one quiz.yaml question."""
    kind = item["type"]
    qtype = question_type(kind)
    choices, spec = qtype.stored_choices(item), qtype.stored_spec(item)
    return {
        "kind": kind,
        "prompt": item["prompt"].strip(),
        "explanation": (item.get("explanation") or "").strip(),
        "choices": choices,
        "spec": spec,
        "points": item.get("points", 1),
        "partial": item.get("partial", False),
        "shuffle": item.get("shuffle", True),
        "objective": item.get("objective") or "",
    }


def _answer_key(question: Question) -> tuple:
    """What grading depends on: a change here means existing grades may be wrong."""
    correct = sorted(c["key"] for c in question.choices if c.get("correct"))
    return (
        question.kind,
        tuple(correct),
        repr(sorted(question.spec.items())),
        question.points,
        question.partial,
    )


@transaction.atomic
def quiz_sync(*, module, doc: Document | None, access: str = "le_only") -> str:
    """Import one module's quiz; answers are stored by question key, so keys must stay stable.
    When an existing question's answer key changes, graded attempts are regraded (recorded).
    access is the quiz's level as the content pipeline worked it out (declared, or the
    strictest lesson's); it can change with a lesson while quiz.yaml stays the same."""
    quiz = Quiz.objects.filter(module=module).first()
    if doc is None:
        if quiz is None:
            return "absent"
        quiz.delete()
        return "updated"
    if quiz is not None and quiz.content_hash == doc.content_hash:
        if quiz.access == access:
            return "unchanged"
        quiz.access = access
        quiz.save(update_fields=["access"])
        return "updated"
    data = doc.data
    status = "created" if quiz is None else "updated"
    quiz = quiz or Quiz(module=module)
    quiz.slug = data["slug"]
    quiz.title = data["title"].strip()
    quiz.pass_mark = data["pass_mark"]
    quiz.draw = data.get("draw")
    quiz.max_attempts = data.get("max_attempts")
    quiz.cooldown_minutes = data.get("cooldown_minutes", 0)
    quiz.attempts_per_day = data.get("attempts_per_day")
    quiz.time_limit_minutes = data.get("time_limit_minutes")
    quiz.feedback = data.get("feedback", "after_attempt")
    quiz.closes_at = _parse_closes(data["closes"]) if "closes" in data else None
    quiz.access = access
    quiz.source_path = doc.path
    quiz.content_hash = doc.content_hash
    quiz.full_clean()
    quiz.save()
    before = {q.key: _answer_key(q) for q in Question.objects.filter(quiz=quiz)}
    keys = []
    changed = set()
    for order, item in enumerate(data["questions"], start=1):
        keys.append(item["key"])
        question, _created = Question.objects.update_or_create(
            quiz=quiz, key=item["key"], defaults={"order": order, **question_fields(item)}
        )
        if item["key"] in before and before[item["key"]] != _answer_key(question):
            changed.add(item["key"])
    Question.objects.filter(quiz=quiz).exclude(key__in=keys).delete()
    quiz_regrade(quiz=quiz, changed_keys=changed)
    return status


# What a quiz translation may translate besides the prompt and explanation: for each English
# list of keyed entries, a mapping {key: text} (choices, ordering items) or {key: {fields}}
# (matching pairs).
TRANSLATED_PARTS = {"choices": (), "items": (), "pairs": ("left", "right")}


def _keys_of(entries) -> set[str]:
    if not isinstance(entries, list):
        return set()
    return {str(e["key"]) for e in entries if isinstance(e, dict) and "key" in e}


def _translates(value, keys: set[str], fields: tuple[str, ...]) -> bool:
    """Whether value maps exactly these keys to text (fields empty) or to mappings of exactly
    these text fields."""
    if not isinstance(value, dict) or {str(k) for k in value} != keys:
        return False
    if not fields:
        return all(isinstance(t, str | int | float) and str(t).strip() for t in value.values())
    return all(
        isinstance(t, dict)
        and set(t) == set(fields)
        and all(isinstance(t[f], str) and t[f].strip() for f in fields)
        for t in value.values()
    )


def quiz_translation_validate(doc: Document, english: Document) -> list[ContentError]:
    """Every English question must be translated, with every choice; ordering items and
    matching pairs may be translated, each for exactly the English keys; nothing else may
    appear."""
    errors: list[ContentError] = []

    def error(message: str, *keys) -> None:
        errors.append(ContentError(doc.path, doc.line(*keys), message))

    if not isinstance(doc.data.get("title"), str) or not doc.data["title"].strip():
        error("'title' is required text", "title")
    english = {
        q["key"]: q for q in english.data.get("questions", []) if isinstance(q, dict) and "key" in q
    }
    questions = doc.data.get("questions")
    if not isinstance(questions, list):
        error("'questions' must be a list", "questions")
        return errors
    seen = set()
    for index, item in enumerate(questions):
        where = ("questions", index)
        if not isinstance(item, dict) or item.get("key") not in english:
            error("each question needs the 'key' of an English question", *where)
            continue
        seen.add(item["key"])
        for key in item:
            if key not in {"key", "prompt", *TRANSLATED_PARTS, "explanation"}:
                error(f"unknown key '{key}'", *where, key)
        if not isinstance(item.get("prompt"), str) or not item["prompt"].strip():
            error("question 'prompt' is required text", *where)
        original = english[item["key"]]
        for part, fields in TRANSLATED_PARTS.items():
            keys = _keys_of(original.get(part))
            value = item.get(part)
            if value is None:
                continue  # choices are required below; items/pairs may stay English for now
            if not keys or not _translates(value, keys, fields):
                shape = "text" if not fields else "{" + ", ".join(fields) + "}"
                error(
                    f"'{part}' must map exactly the keys {', '.join(sorted(keys)) or '(none)'} "
                    f"of the English question to {shape}",
                    *where,
                    part,
                )
        if _keys_of(original.get("choices")) and item.get("choices") is None:
            error(
                f"'choices' must translate exactly the choices "
                f"{', '.join(sorted(_keys_of(original['choices'])))}",
                *where,
                "choices",
            )
    missing = sorted(set(english) - seen)
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
                        "choices": {
                            str(k): str(v).strip() for k, v in (item.get("choices") or {}).items()
                        },
                        "items": {
                            str(k): str(v).strip() for k, v in (item.get("items") or {}).items()
                        },
                        "pairs": {
                            str(k): {"left": v["left"].strip(), "right": v["right"].strip()}
                            for k, v in (item.get("pairs") or {}).items()
                        },
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
