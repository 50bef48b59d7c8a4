"""Item analysis for trainers: per-question difficulty, mean score, discrimination and option
choices for one quiz version, and each officer's attempts. Pure computation in Python over one
query of graded attempts (plus one of questions), so a page costs the same whatever the number
of attempts."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet

from accounts.permissions import memberships_that_count
from assessments.models import Attempt, Question, Quiz

# The upper-lower group method: the top and bottom 27% of attempts by total score.
GROUP_SHARE = 0.27
# Fewer attempts than this give a discrimination index too noisy to show.
MIN_ATTEMPTS_FOR_DISCRIMINATION = 10
# A question score this close to 1 counts as full marks (scores are stored as floats).
FULL_MARKS = 1 - 1e-9
CHOICE_KINDS = frozenset({Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.TRUE_FALSE})


@dataclass(frozen=True)
class OptionStat:
    key: str
    text: str
    correct: bool
    chosen: int
    # Out of the attempts that drew the question.
    share: float | None


@dataclass(frozen=True)
class ItemStat:
    key: str
    order: int | None
    kind: str
    kind_label: str
    prompt: str
    # False for a question that an old version had and the current quiz no longer has.
    in_current_quiz: bool
    attempts: int
    full_marks: int
    difficulty: float | None
    mean_score: float | None
    discrimination: float | None
    options: list[OptionStat] = field(default_factory=list)

    @property
    def is_choice(self) -> bool:
        return self.kind in CHOICE_KINDS


@dataclass(frozen=True)
class ItemReport:
    quiz_hash: str | None
    # Graded attempts on this version, and those among them graded before per-question
    # scores were stored (left out of every per-question figure).
    graded_attempts: int
    skipped_attempts: int
    items: list[ItemStat]

    @property
    def analysed_attempts(self) -> int:
        return self.graded_attempts - self.skipped_attempts


@dataclass(frozen=True)
class QuizVersion:
    quiz_hash: str
    attempts: int
    is_current: bool

    @property
    def short(self) -> str:
        return self.quiz_hash[:12]


@dataclass(frozen=True)
class OfficerAttempts:
    user_id: int
    full_name: str
    email: str
    attempts: int
    best_score: Decimal
    passed: bool
    last_submitted_at: datetime


def graded_attempts(*, quiz: Quiz) -> QuerySet[Attempt]:
    return Attempt.objects.filter(quiz=quiz, status=Attempt.Status.GRADED)


def quizzes_with_attempt_counts() -> QuerySet[Quiz]:
    """Every quiz with its course and module, its graded attempts and officers, in one query."""
    graded = Q(attempts__status=Attempt.Status.GRADED)
    return (
        Quiz.objects.select_related("module__course")
        .annotate(
            graded_count=Count("attempts", filter=graded),
            officer_count=Count("attempts__user", filter=graded, distinct=True),
        )
        .order_by("module__course__title", "module__order", "pk")
    )


def quiz_versions(*, quiz: Quiz) -> list[QuizVersion]:
    """The versions graded attempts were taken on, newest content first, in one query; the
    current version is always listed, even before anyone has taken it."""
    rows = (
        graded_attempts(quiz=quiz)
        .values("quiz_hash")
        .annotate(attempts=Count("id"), last=Max("submitted_at"))
        .order_by("-last", "quiz_hash")
    )
    counts = [(row["quiz_hash"], row["attempts"]) for row in rows]
    versions = [QuizVersion(h, n, h == quiz.content_hash) for h, n in counts]
    if not any(v.is_current for v in versions):
        versions.insert(0, QuizVersion(quiz.content_hash, 0, True))
    else:
        versions.sort(key=lambda v: not v.is_current)
    return versions


def resolve_version(versions: Iterable[QuizVersion], prefix: str) -> QuizVersion | None:
    """The one version whose hash starts with the prefix, or None (unknown or ambiguous)."""
    prefix = prefix.strip().lower()
    if not prefix:
        return None
    matches = [v for v in versions if v.quiz_hash.lower().startswith(prefix)]
    return matches[0] if len(matches) == 1 else None


def _chosen_keys(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {str(item) for item in value if isinstance(item, str | int)}
    return set()


def _score(value) -> float:
    try:
        return min(max(float(value), 0.0), 1.0)
    except (TypeError, ValueError):
        return 0.0


def discrimination_index(ranked: list[tuple[float, float]]) -> float | None:
    """Upper-lower 27% index from (total score, question score) pairs: the mean question score
    of the top group minus that of the bottom group; None below the minimum sample. Ties in the
    total are broken by the order given (the callers pass attempts in id order)."""
    count = len(ranked)
    if count < MIN_ATTEMPTS_FOR_DISCRIMINATION:
        return None
    group = max(1, int(GROUP_SHARE * count + 0.5))
    ordered = sorted(ranked, key=lambda pair: pair[0])  # stable: ties keep their order
    bottom = ordered[:group]
    top = ordered[-group:]
    return sum(q for _, q in top) / group - sum(q for _, q in bottom) / group


def item_statistics(*, quiz: Quiz, quiz_hash: str | None = None) -> ItemReport:
    """Statistics per question for the graded attempts on one version of the quiz (every
    version when quiz_hash is None). Attempts graded before per-question scores were stored
    are counted but left out of the per-question figures. Two queries whatever the number of
    attempts."""
    attempts = graded_attempts(quiz=quiz)
    if quiz_hash is not None:
        attempts = attempts.filter(quiz_hash=quiz_hash)
    rows = list(
        attempts.order_by("pk").values("score", "question_keys", "question_scores", "answers")
    )
    questions = list(Question.objects.filter(quiz=quiz).order_by("order", "pk"))

    skipped = 0
    # question key -> [(attempt total, question score)], and key -> option key -> times chosen
    scored: dict[str, list[tuple[float, float]]] = {}
    chosen: dict[str, dict[str, int]] = {}
    seen_order: list[str] = []
    for row in rows:
        scores = row["question_scores"]
        if not isinstance(scores, dict) or not scores:
            skipped += 1
            continue
        drawn = row["question_keys"] or list(scores)
        answers = row["answers"] if isinstance(row["answers"], dict) else {}
        total = float(row["score"])
        for key in drawn:
            if key not in scores:
                continue
            if key not in scored:
                scored[key] = []
                chosen[key] = {}
                seen_order.append(key)
            scored[key].append((total, _score(scores[key])))
            for option in _chosen_keys(answers.get(key)):
                chosen[key][option] = chosen[key].get(option, 0) + 1

    items = [
        _item(
            key=q.key,
            question=q,
            pairs=scored.get(q.key, []),
            chosen=chosen.get(q.key, {}),
        )
        for q in questions
    ]
    current_keys = {q.key for q in questions}
    items += [
        _item(key=key, question=None, pairs=scored[key], chosen=chosen[key])
        for key in seen_order
        if key not in current_keys
    ]
    return ItemReport(
        quiz_hash=quiz_hash, graded_attempts=len(rows), skipped_attempts=skipped, items=items
    )


def _item(
    *,
    key: str,
    question: Question | None,
    pairs: list[tuple[float, float]],
    chosen: dict[str, int],
) -> ItemStat:
    count = len(pairs)
    full = sum(1 for _, score in pairs if score >= FULL_MARKS)
    options = []
    if question is not None and question.kind in CHOICE_KINDS:
        options = [
            OptionStat(
                key=str(choice.get("key", "")),
                text=str(choice.get("text", "")),
                correct=bool(choice.get("correct")),
                chosen=chosen.get(str(choice.get("key", "")), 0),
                share=chosen.get(str(choice.get("key", "")), 0) / count if count else None,
            )
            for choice in question.choices
        ]
    return ItemStat(
        key=key,
        order=question.order if question else None,
        kind=question.kind if question else "",
        kind_label=question.get_kind_display() if question else "",
        prompt=question.prompt if question else "",
        in_current_quiz=question is not None,
        attempts=count,
        full_marks=full,
        difficulty=full / count if count else None,
        mean_score=sum(score for _, score in pairs) / count if count else None,
        discrimination=discrimination_index(pairs),
        options=options,
    )


def attempts_per_officer(
    *, quiz: Quiz, agency_ids: list[int] | None = None
) -> list[OfficerAttempts]:
    """Each officer's graded attempts at the quiz (every version), best score and whether any
    attempt passed, by name; one query whatever the number of attempts. agency_ids limits
    the list to people whose membership of one of those agencies counts (None: everyone)."""
    attempts = graded_attempts(quiz=quiz)
    if agency_ids is not None:
        # People whose membership of one of these agencies counts now: not those pending,
        # rejected, lapsed or gone from it.
        members = memberships_that_count().filter(agency_id__in=agency_ids)
        attempts = attempts.filter(user_id__in=members.values("user_id"))
    rows = attempts.order_by("pk").values(
        "user_id", "user__full_name", "user__email", "score", "passed", "submitted_at"
    )
    officers: dict[int, dict] = {}
    for row in rows:
        entry = officers.get(row["user_id"])
        if entry is None:
            officers[row["user_id"]] = {
                "user_id": row["user_id"],
                "full_name": row["user__full_name"],
                "email": row["user__email"],
                "attempts": 1,
                "best_score": row["score"],
                "passed": bool(row["passed"]),
                "last_submitted_at": row["submitted_at"],
            }
            continue
        entry["attempts"] += 1
        entry["best_score"] = max(entry["best_score"], row["score"])
        entry["passed"] = entry["passed"] or bool(row["passed"])
        entry["last_submitted_at"] = max(entry["last_submitted_at"], row["submitted_at"])
    result = [OfficerAttempts(**entry) for entry in officers.values()]
    result.sort(key=lambda o: (o.full_name.casefold(), o.email.casefold(), o.user_id))
    return result
