"""A module's glossary (terms and their translations) and the module's own translations."""

from courses.models import (
    GlossaryTerm,
    GlossaryTranslation,
    Module,
    ModuleTranslation,
)
from courses.pipeline.render import render_markdown
from courses.pipeline.source import (
    ModuleSource,
)
from courses.pipeline.sync.report import SyncReport, upsert


def glossary_sync(module: Module, source: ModuleSource, report: SyncReport) -> None:
    translated: dict[str, dict[str, dict]] = {}
    for language, translation in source.glossary_translations.items():
        for item in translation.doc.data.get("terms", []):
            translated.setdefault(item["term"], {})[language] = {
                "name": item["name"].strip(),
                "definition_html": render_markdown(item["definition"]),
                "stale": translation.is_stale,
            }
    keep = []
    for order, entry in enumerate(source.glossary, start=1):
        _term, status = upsert(
            GlossaryTerm,
            {"module": module, "anchor": entry.anchor},
            {
                "term": entry.term,
                "aliases": entry.aliases,
                "definition_html": render_markdown(entry.definition),
                "order": order,
                "translations": translated.get(entry.term, {}),
            },
        )
        if status != "unchanged":
            report.add(f"glossary {module.course.slug}/{module.slug}/{entry.anchor}", status)
        keep.append(entry.anchor)
    GlossaryTerm.objects.filter(module=module).exclude(anchor__in=keep).delete()
    for language, translation in source.glossary_translations.items():
        upsert(
            GlossaryTranslation,
            {"module": module, "language": language},
            {
                "source_path": translation.doc.path,
                "content_hash": translation.doc.content_hash,
                "source_hash": translation.source_hash,
                "is_stale": translation.is_stale,
            },
        )
    GlossaryTranslation.objects.filter(module=module).exclude(
        language__in=list(source.glossary_translations)
    ).delete()


def module_translations_sync(module: Module, source: ModuleSource, report: SyncReport) -> None:
    for language, translation in source.translations.items():
        data = translation.doc.data
        objectives = data.get("objectives") or []
        _obj, status = upsert(
            ModuleTranslation,
            {"module": module, "language": language},
            {
                "title": data["title"].strip(),
                "objectives": [item.strip() for item in objectives if isinstance(item, str)],
                "intro_html": render_markdown(translation.doc.body),
                "source_path": translation.doc.path,
                "content_hash": translation.doc.content_hash,
                "source_hash": translation.source_hash,
                "is_stale": translation.is_stale,
            },
        )
        report.add(f"module {module.course.slug}/{module.slug} [{language}]", status)
    ModuleTranslation.objects.filter(module=module).exclude(
        language__in=list(source.translations)
    ).delete()
