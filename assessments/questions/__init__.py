"""Question types, one module each: a type owns the validation of its quiz.yaml keys, its form
fields, its grading and its review display (see base.py). quizfile, forms, grading and the
result page ask the registry, so adding a type is one new module in this package."""

from importlib import import_module
from pkgutil import iter_modules

from assessments.questions.base import (
    COMMON_KEYS,
    NoModelAnswer,
    QuestionType,
    YamlCheck,
    kind_choices,
    question_type,
    question_types,
    register,
    unregister,
)


def discover() -> None:
    """Import every module of this package: each one defines and registers its types."""
    for module in iter_modules(__path__):
        if module.name != "base":
            import_module(f"{__name__}.{module.name}")


discover()

__all__ = [
    "COMMON_KEYS",
    "NoModelAnswer",
    "QuestionType",
    "YamlCheck",
    "discover",
    "kind_choices",
    "question_type",
    "question_types",
    "register",
    "unregister",
]
