"""The editorial review: the curriculum's own bar, on top of what the import needs.

The import (content_sync) refuses only what it cannot store or render safely. The editorial
review is what `sync_content --check` adds, and what CI runs on the real tree
(tests/courses/test_content.py): every lesson says when its facts were checked, what it
teaches and where its facts come from; translations use the approved terms and the
language's number format (courses.pipeline.translation_review); other apps add their rules (the quiz rules in
assessments.quizreview) with editorial_rule_register. Test fixtures that exercise the import
need not satisfy it.
"""

from collections.abc import Callable

from courses.pipeline.source import ContentError, CourseSource

EditorialRule = Callable[[list[CourseSource]], list[ContentError]]
_rules: dict[str, EditorialRule] = {}


def editorial_rule_register(name: str, rule: EditorialRule) -> None:
    """Register (or, on a second ready(), replace) the rule called `name`."""
    _rules[name] = rule


REQUIRED_LESSON_KEYS = {
    "reviewed": "the date the lesson's facts were last checked (YYYY-MM-DD)",
    "objectives": "2 to 4 items with 'id' and 'text'",
    "sources": "the publications the lesson's figures, dates, cases and legal statements come from",
}


def lesson_metadata_problems(courses: list[CourseSource]) -> list[ContentError]:
    """Every English lesson has `reviewed`, `objectives` and `sources` (README, "Sources")."""
    return [
        ContentError(lesson.doc.path, 1, f"'{key}' is required: {what}")
        for course in courses
        for module in course.modules
        for lesson in module.lessons
        for key, what in REQUIRED_LESSON_KEYS.items()
        if key not in lesson.doc.data
    ]


def content_review(courses: list[CourseSource]) -> list[ContentError]:
    """Every editorial rule's problems with the parsed, valid tree."""
    from courses.pipeline.translation_review import (
        number_format_problems,
        terminology_errors,
        untranslated_parts,
    )

    errors = lesson_metadata_problems(courses)
    errors.extend(terminology_errors(courses))
    errors.extend(number_format_problems(courses))
    errors.extend(untranslated_parts(courses))
    for name in sorted(_rules):
        errors.extend(_rules[name](courses))
    return errors
