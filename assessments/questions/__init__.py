"""Question types, one module each: a type owns the validation of its quiz.yaml keys, its form
fields, its grading and its review display (see base.py). quizfile, forms, grading and the
result page ask the registry, so adding a type is one new module imported here."""

from importlib import import_module

from assessments.questions.base import (
    COMMON_KEYS,
    QuestionType,
    YamlCheck,
    kind_choices,
    question_type,
    question_types,
    register,
    unregister,
)

# The built-in types, registered on import in this order (the order quiz.yaml errors list).
BUILT_IN = ("choice", "numeric", "short_text", "ordering", "matching", "lab")
for _module in BUILT_IN:
    import_module(f"{__name__}.{_module}")

__all__ = [
    "COMMON_KEYS",
    "QuestionType",
    "YamlCheck",
    "kind_choices",
    "question_type",
    "question_types",
    "register",
    "unregister",
]
