"""The database itself keeps the security log append-only: no UPDATE ever, and DELETE only of
lines older than 180 days (the retention service's). An application bug, or a shell session
through the ORM, cannot rewrite history. (On SQLite, the embedded mode, only UPDATE is refused.)"""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION security_event_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'security log is append-only';
        END IF;
        IF OLD.at >= now() - interval '180 days' THEN
            RAISE EXCEPTION 'security log lines are kept 180 days';
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER security_event_append_only
    BEFORE UPDATE OR DELETE ON security_securityevent
    FOR EACH ROW EXECUTE FUNCTION security_event_append_only();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS security_event_append_only ON security_securityevent;",
    "DROP FUNCTION IF EXISTS security_event_append_only();",
]
SQLITE = [
    """
    CREATE TRIGGER security_event_no_update BEFORE UPDATE ON security_securityevent
    BEGIN SELECT RAISE(ABORT, 'security log is append-only'); END;
    """,
    # No DELETE trigger on SQLite (the embedded, single-machine mode): Django's test flush
    # empties tables with DELETE there (TRUNCATE on PostgreSQL fires no row trigger).
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS security_event_no_update;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
