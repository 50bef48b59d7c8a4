"""One vetting gate for all curriculum material: `restricted` goes (nothing used it; it
meant the same as le_only), and each module's glossary gets its own access level, which
starts as the strictest level among the module's lessons (what sync_content would set).
"""

from django.db import migrations, models

CHOICES = [("public", "Public"), ("le_only", "Law enforcement only")]


def forwards(apps, schema_editor):
    Lesson = apps.get_model("courses", "Lesson")
    ContentAsset = apps.get_model("courses", "ContentAsset")
    Module = apps.get_model("courses", "Module")
    Lesson.objects.filter(access="restricted").update(access="le_only")
    ContentAsset.objects.filter(access="restricted").update(access="le_only")
    locked = Lesson.objects.exclude(access="public").values_list("module_id", flat=True)
    Module.objects.filter(pk__in=locked).update(glossary_access="le_only")
    Module.objects.exclude(pk__in=locked).update(glossary_access="public")


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_translations_glossary_assets"),
    ]

    operations = [
        migrations.AddField(
            model_name="module",
            name="glossary_access",
            field=models.CharField(
                choices=CHOICES, default="le_only", max_length=12, verbose_name="glossary access"
            ),
        ),
        migrations.AlterField(
            model_name="contentasset",
            name="access",
            field=models.CharField(choices=CHOICES, max_length=12, verbose_name="access"),
        ),
        migrations.AlterField(
            model_name="lesson",
            name="access",
            field=models.CharField(
                choices=CHOICES, default="public", max_length=12, verbose_name="access"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
