"""Each quiz gets an access level, starting as the strictest level among its module's
lessons (what sync_content sets when quiz.yaml has no access key)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Lesson = apps.get_model("courses", "Lesson")
    Quiz = apps.get_model("assessments", "Quiz")
    locked = Lesson.objects.exclude(access="public").values_list("module_id", flat=True)
    Quiz.objects.filter(module_id__in=locked).update(access="le_only")
    Quiz.objects.exclude(module_id__in=locked).update(access="public")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_lab_trace_pdf"),
        ("courses", "0003_content_access_gate"),
    ]

    operations = [
        migrations.AddField(
            model_name="quiz",
            name="access",
            field=models.CharField(
                choices=[("public", "Public"), ("le_only", "Law enforcement only")],
                default="le_only",
                max_length=12,
                verbose_name="access",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
