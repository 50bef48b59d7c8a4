"""Reads for trainers about translations: which translated files are stale, and what changed
in English since one was made."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q

from courses.diff import DiffLine, source_diff
from courses.models import LessonVersion, Module, SourceSnapshot
from courses.pipeline.source import TRANSLATION_LANGUAGES
from courses.translations import TranslationKind, english_path, translation_kinds


@dataclass(frozen=True)
class StaleTranslation:
    """One stale translated file, described by its English original."""

    kind: TranslationKind
    translation: Any

    @property
    def module(self) -> Module:
        return self.kind.module(self.translation)

    @property
    def title(self) -> str:
        return self.kind.title(self.translation)

    @property
    def english_path(self) -> str:
        return english_path(self.translation.source_path, self.translation.language)


@dataclass(frozen=True)
class StaleLanguage:
    code: str
    name: str
    rows: list[StaleTranslation]


def stale_translations() -> list[StaleLanguage]:
    """Stale lesson, module, glossary, quiz and diagram translations, per language in
    order, each language's rows in curriculum order. One query per kind of file."""
    rows = [
        StaleTranslation(kind, translation)
        for kind in translation_kinds()
        for translation in kind.model.objects.filter(is_stale=True).select_related(*kind.related)
    ]
    rows.sort(
        key=lambda row: (
            row.module.course.order,
            row.module.order,
            row.kind.order,
            row.english_path,
        )
    )
    names = dict(settings.LANGUAGES)
    return [
        StaleLanguage(
            code=code,
            name=names.get(code, code),
            rows=[row for row in rows if row.translation.language == code],
        )
        for code in TRANSLATION_LANGUAGES
    ]


@dataclass(frozen=True)
class TranslationChanges:
    """What changed in English since a translation was made. old is the English text its
    source_hash names, None when that version is not on record (translated before the site
    kept English texts); current is today's English text, None when not on record either."""

    english_path: str
    language_name: str
    old: str | None
    current: str | None
    lines: list[DiffLine]


def translation_changes(*, kind: TranslationKind, translation) -> TranslationChanges:
    """The line diff of the English file between the version translated and today's.

    The English texts come from SourceSnapshot (whole files, one query). A lesson translated
    before snapshots existed may still find its version among the LessonVersions, which keep
    only the body: then both sides are bodies, so the diff compares like with like."""
    path = english_path(translation.source_path, translation.language)
    current_hash = kind.english_hash(translation)
    old = current = None
    if translation.source_hash:
        for sha256, text in SourceSnapshot.objects.filter(
            Q(sha256=current_hash) | Q(sha256__startswith=translation.source_hash), path=path
        ).values_list("sha256", "text"):
            if sha256 == current_hash:
                current = text
            if sha256.startswith(translation.source_hash):
                old = text
    if old is None and kind.slug == "lesson" and translation.source_hash:
        version = (
            LessonVersion.objects.filter(
                lesson_id=translation.lesson_id, content_hash__startswith=translation.source_hash
            )
            .only("source_text")
            .first()
        )
        current_version = translation.lesson.current_version
        if version is not None and current_version is not None:
            old, current = version.source_text, current_version.source_text
    lines = source_diff(old, current) if old is not None and current is not None else []
    return TranslationChanges(
        english_path=path,
        language_name=dict(settings.LANGUAGES).get(translation.language, translation.language),
        old=old,
        current=current,
        lines=lines,
    )
