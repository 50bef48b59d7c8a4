"""Short text questions: one of the accepted answers or a match of the pattern, compared
Unicode-normalised, whitespace-collapsed and (unless case_sensitive) case-folded."""

import re
import unicodedata
from re import _constants as sre  # the parser's own opcodes: see pattern_example
from re import _parser

from assessments.models import Question
from assessments.questions.base import NoModelAnswer, QuestionType, YamlCheck, as_list, register


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    """Unicode-normalised, whitespace-collapsed, by default case-folded."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"\s+", " ", text)
    return text if case_sensitive else text.casefold()


# The classes \d, \w, \s and their opposites: the expression, and a character of each.
_CATEGORIES = {
    sre.CATEGORY_DIGIT: (r"\d", "0"),
    sre.CATEGORY_NOT_DIGIT: (r"\D", "a"),
    sre.CATEGORY_WORD: (r"\w", "a"),
    sre.CATEGORY_NOT_WORD: (r"\W", "-"),
    sre.CATEGORY_SPACE: (r"\s", " "),
    sre.CATEGORY_NOT_SPACE: (r"\S", "a"),
}
_CANDIDATES = "a0A-_ .:/x1Z"  # tried in turn for a negated class such as [^a-c]


def _in_class(items: list, char: str) -> bool:
    """Whether char belongs to a parsed character class [...]."""
    negate = bool(items) and items[0][0] is sre.NEGATE
    code = ord(char)
    found = False
    for op, av in items[1:] if negate else items:
        if op is sre.LITERAL:
            found = code == av
        elif op is sre.RANGE:
            found = av[0] <= code <= av[1]
        elif op is sre.CATEGORY:
            found = bool(re.fullmatch(_CATEGORIES[av][0], char))
        if found:
            break
    return found != negate


def _class_example(items: list) -> str:
    negate = bool(items) and items[0][0] is sre.NEGATE
    if not negate:
        op, av = items[0]
        if op is sre.LITERAL:
            return chr(av)
        if op is sre.RANGE:
            return chr(av[0])
        if op is sre.CATEGORY:
            return _CATEGORIES[av][1]
    for char in _CANDIDATES:
        if _in_class(items, char):
            return char
    raise NoModelAnswer("no example character for a class in the pattern")


def _example(parsed, groups: dict[int, str]) -> str:
    """The shortest text the parsed pattern matches, roughly: each repeat at its minimum,
    the first alternative of a choice, the first character of a class."""
    text = []
    for op, av in parsed:
        if op is sre.LITERAL:
            text.append(chr(av))
        elif op is sre.NOT_LITERAL:
            text.append("a" if av != ord("a") else "b")
        elif op is sre.ANY:
            text.append("a")
        elif op is sre.IN:
            text.append(_class_example(av))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, _high, item = av
            text.append(_example(item, groups) * low)
        elif op is sre.SUBPATTERN:
            group, _add, _del, item = av
            part = _example(item, groups)
            if group is not None:
                groups[group] = part
            text.append(part)
        elif op is sre.ATOMIC_GROUP:
            text.append(_example(av, groups))
        elif op is sre.BRANCH:
            text.append(_example(av[1][0], groups))
        elif op is sre.GROUPREF:
            text.append(groups.get(av, ""))
        elif op is sre.GROUPREF_EXISTS:
            group, yes, no = av
            text.append(_example(yes if group in groups else (no or []), groups))
        # AT (anchors), ASSERT and ASSERT_NOT (lookarounds) match no text of their own.
    return "".join(text)


def pattern_example(pattern: str, *, case_sensitive: bool = False) -> str:
    """A text that a short_text pattern accepts, for a question with no listed answer.

    Walks the pattern as Python's own regular expression parser reads it (re._parser, which
    the re module has used since 3.11 and sre_parse re-exported before). Lookarounds and
    back-references can defeat it: the example is checked, and NoModelAnswer raised if the
    pattern does not accept it."""
    flags = 0 if case_sensitive else re.IGNORECASE
    example = _example(_parser.parse(pattern, flags), {})
    given = normalise_text(example, case_sensitive=case_sensitive)
    if not re.fullmatch(pattern, given, flags):
        raise NoModelAnswer(f"no example found for the pattern {pattern!r}")
    return example


@register
class ShortText(QuestionType):
    kind = Question.Kind.SHORT_TEXT.value
    label = Question.Kind.SHORT_TEXT.label
    order = 50
    keys = frozenset({"answers", "pattern", "case_sensitive"})
    flags = ("case_sensitive",)

    def validate(self, question: dict, check: YamlCheck) -> None:
        answers, pattern = question.get("answers"), question.get("pattern")
        if not answers and pattern is None:  # [] would accept nothing
            check("a short_text question needs 'answers' or a 'pattern'")
        if answers is not None and (
            not isinstance(answers, list)
            or not all(isinstance(a, str) and a.strip() for a in answers)
        ):
            check("'answers' must be a list of text items", "answers")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                check(f"'pattern' is not a valid regular expression: {exc}", "pattern")

    def stored_spec(self, item: dict) -> dict:
        return {
            "answers": [a.strip() for a in item.get("answers", [])],
            "pattern": item.get("pattern"),
            "case_sensitive": item.get("case_sensitive", False),
        }

    def score(self, question: Question, value, seed: int) -> float:
        values = as_list(value)
        if not values or not values[0].strip():
            return 0.0
        case_sensitive = bool(question.spec.get("case_sensitive", False))
        given = normalise_text(values[0], case_sensitive=case_sensitive)
        accepted = {
            normalise_text(a, case_sensitive=case_sensitive)
            for a in question.spec.get("answers", [])
        }
        if given in accepted:
            return 1.0
        pattern = question.spec.get("pattern")
        if pattern:
            flags = 0 if case_sensitive else re.IGNORECASE
            return 1.0 if re.fullmatch(pattern, given, flags) else 0.0
        return 0.0

    def model_answer(self, question: Question, seed: int) -> list[str]:
        """The first accepted answer, or else a text the pattern accepts."""
        answers = question.spec.get("answers") or []
        if answers:
            return [answers[0]]
        case_sensitive = bool(question.spec.get("case_sensitive", False))
        return [pattern_example(question.spec["pattern"], case_sensitive=case_sensitive)]

    def review(self, question, value, seed, local):
        return {
            **super().review(question, value, seed, local),
            "expected": ", ".join(question.spec.get("answers") or []),
        }
