"""The audit table refuses TRUNCATE too (PostgreSQL: a statement-level trigger on the same
function that refuses UPDATE and DELETE). SQLite has no TRUNCATE, so nothing to do there."""

from django.db import migrations

PG_UP = """
CREATE TRIGGER accounts_auditevent_no_truncate
    BEFORE TRUNCATE ON accounts_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_append_only();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;"


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_trainerqualification_course_slug")]

    operations = [migrations.RunPython(add_trigger, drop_trigger)]
