"""The quiz rules of the editorial review (sync_content --check; courses.pipeline.editorial).

A module quiz certifies skill only if it tests what the lessons teach, cannot be passed by
picking the longest option, does not repeat the lessons' own knowledge checks, and has a
pool deep enough that a retake is a new paper:
- every question names the lesson objective it tests, and every objective is tested;
- in at most LONGEST_SHARE_MAX of the single-answer questions is the right option the
  single longest one;
- no quiz prompt is (nearly) a knowledge check's question (SIMILARITY_MAX, word by word);
- the pool, labs aside, holds at least POOL_FACTOR times the questions drawn.
"""

import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import yaml

from courses.pipeline.source import (
    ContentError,
    CourseSource,
    Document,
    ModuleSource,
    yaml_load,
)

LONGEST_SHARE_MAX = 0.35
# Compared word by word (difflib's ratio over the two word lists): before issue 14, eight
# knowledge checks were at 0.52 or more against some quiz prompt, and the ninth at 0.38.
SIMILARITY_MAX = 0.5
POOL_FACTOR = 2.5
CHECK_BLOCK_RE = re.compile(r"^```check[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
WORDS_RE = re.compile(r"[^\w\s]+")


@dataclass(frozen=True)
class KnowledgeCheck:
    path: str
    line: int
    question: list[str]  # normalised words


def normalised(text: str) -> str:
    """Lower case, punctuation removed, spaces folded: what 'the same question' compares."""
    return " ".join(WORDS_RE.sub(" ", text.lower()).split())


def similar_prompts(question: list[str], prompts: list[list[str]]) -> list[tuple[int, float]]:
    """(index, ratio) of the prompts at least SIMILARITY_MAX like the question, as word lists.
    The question is the matcher's second sequence, whose index SequenceMatcher builds once."""
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(question)
    found = []
    for index, prompt in enumerate(prompts):
        matcher.set_seq1(prompt)
        # Both quick ratios are upper bounds of ratio(): most pairs stop there.
        if matcher.real_quick_ratio() < SIMILARITY_MAX or matcher.quick_ratio() < SIMILARITY_MAX:
            continue
        ratio = matcher.ratio()
        if ratio >= SIMILARITY_MAX:
            found.append((index, ratio))
    return found


def knowledge_checks(doc: Document) -> list[KnowledgeCheck]:
    """The ```check blocks of a lesson body, with their line in the file."""
    checks = []
    for match in CHECK_BLOCK_RE.finditer(doc.body):
        try:
            data = yaml_load(match.group(1))
        except yaml.YAMLError:
            continue  # the renderer reports it
        if isinstance(data, dict) and isinstance(data.get("question"), str):
            line = doc.body_line + doc.body[: match.start()].count("\n")
            checks.append(KnowledgeCheck(doc.path, line, normalised(data["question"]).split()))
    return checks


def _questions(doc: Document) -> list[tuple[int, dict]]:
    questions = doc.data.get("questions")
    if not isinstance(questions, list):
        return []
    return [(index, q) for index, q in enumerate(questions) if isinstance(q, dict)]


def objective_problems(module: ModuleSource) -> list[ContentError]:
    """Each question names an objective of this module's lessons; each objective is tested."""
    quiz = module.extra_files.get("quiz.yaml")
    objectives = {
        objective.id: (lesson, index)
        for lesson in module.lessons
        for index, objective in enumerate(lesson.objectives)
    }
    errors, tested = [], set()
    for index, question in _questions(quiz) if quiz else []:
        objective = question.get("objective")
        key = question.get("key", index + 1)
        if objective is None:
            errors.append(
                ContentError(
                    quiz.path,
                    quiz.line("questions", index),
                    f"question '{key}' needs 'objective:' naming the lesson objective it tests",
                )
            )
        elif objective not in objectives:
            errors.append(
                ContentError(
                    quiz.path,
                    quiz.line("questions", index, "objective"),
                    f"question '{key}' names objective '{objective}', which no lesson of this "
                    "module has",
                )
            )
        else:
            tested.add(objective)
    for objective, (lesson, index) in objectives.items():
        if objective not in tested:
            errors.append(
                ContentError(
                    lesson.doc.path,
                    lesson.doc.line("objectives", index),
                    f"objective '{objective}' is tested by no question of the module's quiz pool",
                )
            )
    return errors


def longest_right_answer(question: dict) -> bool:
    """Whether the one right choice of a single-answer question is strictly the longest."""
    choices = [c for c in question.get("choices") or [] if isinstance(c, dict)]
    right = [len(str(c.get("text", "")).strip()) for c in choices if c.get("correct") is True]
    wrong = [len(str(c.get("text", "")).strip()) for c in choices if c.get("correct") is not True]
    return len(right) == 1 and bool(wrong) and right[0] > max(wrong)


def longest_answer_share(quiz: Document) -> tuple[int, int]:
    """(single-answer questions whose right option is the single longest, single questions)."""
    singles = [q for _index, q in _questions(quiz) if q.get("type") == "single"]
    return sum(longest_right_answer(q) for q in singles), len(singles)


def pool_problems(module: ModuleSource) -> list[ContentError]:
    quiz = module.extra_files.get("quiz.yaml")
    if quiz is None:
        return []
    errors = []
    longest, singles = longest_answer_share(quiz)
    if singles and longest / singles > LONGEST_SHARE_MAX:
        errors.append(
            ContentError(
                quiz.path,
                quiz.line("questions"),
                f"the right option is the single longest in {longest} of {singles} single-answer "
                f"questions ({longest / singles:.0%}; at most {LONGEST_SHARE_MAX:.0%}): "
                "lengthen the distractors into plausible mistakes or shorten the right options",
            )
        )
    draw = quiz.data.get("draw")
    pool = sum(1 for _index, q in _questions(quiz) if q.get("type") != "lab")
    if isinstance(draw, int) and pool < math.ceil(POOL_FACTOR * draw):
        errors.append(
            ContentError(
                quiz.path,
                quiz.line("draw"),
                f"the pool holds {pool} questions besides labs; drawing {draw} needs at least "
                f"{math.ceil(POOL_FACTOR * draw)} ({POOL_FACTOR} times), so retakes are new papers",
            )
        )
    return errors


def duplicate_problems(course: CourseSource) -> list[ContentError]:
    """Knowledge checks that reappear (nearly) word for word as a quiz prompt of the course."""
    prompts = [
        (module.extra_files["quiz.yaml"], question.get("key"), normalised(question["prompt"]))
        for module in course.modules
        if "quiz.yaml" in module.extra_files
        for _index, question in _questions(module.extra_files["quiz.yaml"])
        if isinstance(question.get("prompt"), str)
    ]
    texts = [prompt.split() for _quiz, _key, prompt in prompts]
    errors = []
    for module in course.modules:
        for lesson in module.lessons:
            for check in knowledge_checks(lesson.doc):
                for index, ratio in similar_prompts(check.question, texts):
                    quiz, key, _prompt = prompts[index]
                    errors.append(
                        ContentError(
                            check.path,
                            check.line,
                            f"this knowledge check is {ratio:.0%} the same as question "
                            f"'{key}' of {quiz.path}; a quiz must not repeat the lessons' "
                            "checks: reword one of them",
                        )
                    )
    return errors


def quiz_review(courses: list[CourseSource]) -> list[ContentError]:
    errors = []
    for course in courses:
        for module in course.modules:
            errors.extend(objective_problems(module))
            errors.extend(pool_problems(module))
        errors.extend(duplicate_problems(course))
    return errors
