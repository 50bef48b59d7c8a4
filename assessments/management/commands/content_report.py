"""Figures about the curriculum in content/, for trainers and closing notes:

    manage.py content_report [--path content/]

Per module: English lessons and words, lesson objectives, sources cited, questions by type,
tracing labs (scenario and difficulty), and the longest-answer share of its single-answer
questions (assessments.quizreview); then the course totals. Reads files only.
"""

import re
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.quizreview import longest_answer_share
from courses.pipeline.validate import load_content

WORD_RE = re.compile("\\w+(?:[-'\u2019]\\w+)*")
KINDS = ("single", "multiple", "true_false", "numeric", "short_text", "ordering", "matching", "lab")


def words(text: str) -> int:
    return len(WORD_RE.findall(text))


class Command(BaseCommand):
    help = "Print lessons, words, objectives, sources and questions by type per module."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None, help="Content folder.")

    def handle(self, *args, path: Path | None, **options):
        courses, errors = load_content(path or settings.CONTENT_DIR)
        if errors:
            raise CommandError(f"{len(errors)} content error(s); run sync_content --check")
        for course in courses:
            totals, kinds, labs = Counter(), Counter(), Counter()
            self.stdout.write(f"course {course.slug}")
            for module in course.modules:
                quiz = module.extra_files.get("quiz.yaml")
                questions = (
                    [q for q in (quiz.data.get("questions") or []) if isinstance(q, dict)]
                    if quiz
                    else []
                )
                counts = Counter(q.get("type") for q in questions)
                for q in questions:
                    if q.get("type") == "lab":
                        params = q.get("params") or {}
                        labs[
                            f"{params.get('scenario')}/{params.get('difficulty', 'standard')}"
                        ] += 1
                longest, singles = longest_answer_share(quiz) if quiz else (0, 0)
                row = {
                    "lessons": len(module.lessons),
                    "words": sum(words(lesson.doc.body) for lesson in module.lessons),
                    "objectives": sum(len(lesson.objectives) for lesson in module.lessons),
                    "sources": sum(len(lesson.sources) for lesson in module.lessons),
                    "questions": len(questions),
                }
                totals.update(row)
                kinds.update(counts)
                totals["longest"] += longest
                totals["singles"] += singles
                share = f"{longest}/{singles} ({longest / singles:.0%})" if singles else "-"
                self.stdout.write(
                    f"module {module.order} {module.slug}: "
                    + " ".join(f"{key}={value}" for key, value in row.items())
                    + " types="
                    + ",".join(f"{kind}:{counts[kind]}" for kind in KINDS if counts[kind])
                    + f" longest_right={share}"
                )
            share = totals["longest"] / totals["singles"] if totals["singles"] else 0
            self.stdout.write(
                f"total: modules={len(course.modules)} lessons={totals['lessons']} "
                f"words={totals['words']} objectives={totals['objectives']} "
                f"sources={totals['sources']} questions={totals['questions']} "
                + "types="
                + ",".join(f"{kind}:{kinds[kind]}" for kind in KINDS)
                + f" longest_right={totals['longest']}/{totals['singles']} ({share:.0%})"
                + " labs="
                + (",".join(f"{name}:{n}" for name, n in sorted(labs.items())) or "none")
            )
