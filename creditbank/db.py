"""Database-level guarantees that the ORM cannot give on its own."""

import contextlib
import threading

from django.db import connection, migrations
from django.db.backends.signals import connection_created
from django.dispatch import receiver

_maintenance = threading.local()


@receiver(connection_created)
def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "creditbank_maintenance", 0, lambda: int(getattr(_maintenance, "on", False))
        )


@contextlib.contextmanager
def maintenance_unlocked():
    """Lift the append-only guard for this thread's connection, for test-database flushes only.

    Nothing in the product calls this. The guard stays in force for every other connection, and
    a connection that lacks the helper function (the sqlite3 shell) is refused outright.
    """
    _maintenance.on = True
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('creditbank.maintenance', 'on', false)")
        yield
    finally:
        _maintenance.on = False
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('creditbank.maintenance', 'off', false)")


class AppendOnly(migrations.operations.base.Operation):
    """Refuse UPDATE and DELETE on a table, in the database itself.

    Used for the credit ledger: whatever code runs (a buggy service, the admin, a shell), a
    stored row can never change or disappear. Works on PostgreSQL and SQLite.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str):
        self.model_name = model_name

    def state_forwards(self, app_label, state):
        pass

    def _table(self, app_label, schema_editor, from_state):
        return from_state.apps.get_model(app_label, self.model_name)._meta.db_table

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, schema_editor, to_state)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                f"""
                CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
                BEGIN
                    IF current_setting('creditbank.maintenance', true) = 'on' THEN
                        RETURN OLD;
                    END IF;
                    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
                        USING ERRCODE = 'insufficient_privilege';
                END;
                $$ LANGUAGE plpgsql;
                """,
                params=None,  # no placeholders: the % above is PL/pgSQL's, not psycopg's
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();"
            )
        elif vendor == "sqlite":
            for operation in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"WHEN creditbank_maintenance() = 0 "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END;"
                )
        else:  # pragma: no cover - we run on PostgreSQL and SQLite only
            raise NotImplementedError(f"append-only triggers for {vendor}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        table = self._table(app_label, schema_editor, from_state)
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_append_only();")
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")

    def describe(self):
        return f"Make {self.model_name} append-only (refuse UPDATE and DELETE)"

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name], {})


def insert_rows(model, columns: list[str], rows) -> int:
    """Insert many rows fast: PostgreSQL COPY, or bulk_create elsewhere.

    ``columns`` are attribute names (``institution_id``, not ``institution``); JSON fields take
    Python objects. Nothing here runs model ``save()`` or signals: callers validate first.
    """
    from django.db import connection as conn

    rows = list(rows)
    if not rows:
        return 0
    if conn.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
        return len(rows)
    from psycopg.types.json import Jsonb

    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in columns]
    json_positions = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    names = ", ".join(conn.ops.quote_name(field.column) for field in fields)
    table = conn.ops.quote_name(model._meta.db_table)
    with conn.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            if json_positions:
                row = list(row)
                for i in json_positions:
                    row[i] = Jsonb(row[i])
            copy.write_row(row)
    return len(rows)
