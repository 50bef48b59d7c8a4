"""The kinds of translated file trainers see in the stale list (lessons, modules, glossaries,
quizzes, diagrams), each with its model and how a row reaches its English original.

Lessons, modules, glossaries and diagrams are this app's; assessments registers quizzes with
translation_kind_register, since a lower layer never imports a higher one.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from courses.models import (
    DiagramTranslation,
    GlossaryTranslation,
    LessonTranslation,
    Module,
    ModuleTranslation,
)


@dataclass(frozen=True)
class TranslationKind:
    """slug names the kind in URLs; related is what a row's queryset joins so that module,
    title and english_hash need no further query. english_hash is the sha256 of the current
    English file, the one a row's source_hash is compared with."""

    slug: str
    label: Any
    model: type
    related: tuple[str, ...]
    module: Callable[[Any], Module]
    title: Callable[[Any], str]
    english_hash: Callable[[Any], str]
    order: int


TRANSLATION_KINDS: dict[str, TranslationKind] = {}


def translation_kind_register(kind: TranslationKind) -> None:
    TRANSLATION_KINDS[kind.slug] = kind


def translation_kinds() -> list[TranslationKind]:
    return sorted(TRANSLATION_KINDS.values(), key=lambda kind: kind.order)


def english_path(translated_path: str, language: str) -> str:
    """content/.../02-x.md for content/.../02-x.ko.md (and quiz.ko.yaml, media/x.ko.svg)."""
    return re.sub(rf"\.{re.escape(language)}(\.[A-Za-z]+)$", r"\1", translated_path)


translation_kind_register(
    TranslationKind(
        slug="lesson",
        label=_("Lesson"),
        model=LessonTranslation,
        related=("lesson__module__course", "lesson__current_version"),
        module=lambda row: row.lesson.module,
        title=lambda row: row.lesson.title,
        english_hash=lambda row: (
            row.lesson.current_version.content_hash if row.lesson.current_version else ""
        ),
        order=20,
    )
)
translation_kind_register(
    TranslationKind(
        slug="module",
        label=_("Module"),
        model=ModuleTranslation,
        related=("module__course",),
        module=lambda row: row.module,
        title=lambda row: row.module.title,
        english_hash=lambda row: row.module.content_hash,
        order=10,
    )
)
translation_kind_register(
    TranslationKind(
        slug="glossary",
        label=_("Glossary"),
        model=GlossaryTranslation,
        related=("module__course",),
        module=lambda row: row.module,
        title=lambda row: row.module.title,
        english_hash=lambda row: row.module.glossary_hash,
        order=30,
    )
)
translation_kind_register(
    TranslationKind(
        slug="diagram",
        label=_("Diagram"),
        model=DiagramTranslation,
        related=("module__course",),
        module=lambda row: row.module,
        title=lambda row: english_path(row.source_path, row.language).rsplit("/", 1)[-1],
        english_hash=lambda row: row.english_hash,
        order=50,
    )
)
