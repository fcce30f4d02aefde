"""Set-based writes for the daily scan: ``INSERT INTO ... SELECT`` from a queryset, and the
few SQL expressions it needs that Django does not have, for SQLite and PostgreSQL.

The scan writes tens of thousands of warnings and hundreds of thousands of outbox rows
at 1,000,000 certificates (issue 4, Benchmarks); building them as Python objects costs
minutes, letting the database copy them from one SELECT costs seconds."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import CharField, Func, IntegerField, Model, QuerySet, TextField, Value
from django.db.models.constants import OnConflict
from django.db.models.functions import Cast, Replace

from safework.core.sql import execute_many

STAGE = "alerts_insert_stage"


def insert_select(
    model: type[Model],
    rows: QuerySet,
    columns: dict,
    *,
    ignore_conflicts: bool = False,
    staged: bool = False,
) -> int:
    """Insert one ``model`` row per row of ``rows``, its fields computed by ``columns``
    (field name -> expression on ``rows``); returns how many were inserted. With
    ``ignore_conflicts`` a row that would break a unique constraint is skipped.

    ``staged``: the rows are selected into a temporary table first, then copied. For a
    SELECT that reads the table being inserted into (the scan's "not warned yet"): on an
    empty table PostgreSQL plans a nested loop over a sequential scan of it, and the
    statement then rescans every page it has itself written so far for each row, which
    is quadratic (73 s instead of 1 s for 71,000 warnings on the first scan)."""
    aliases = {f"ins_{name}": expression for name, expression in columns.items()}
    select = rows.order_by().annotate(**aliases).values(*aliases)
    connection = connections[select.db]
    try:
        sql, params = select.query.get_compiler(connection=connection).as_sql()
    except EmptyResultSet:  # a filter such as ``pk__in=[]``: nothing to insert
        return 0
    ops, on_conflict = connection.ops, OnConflict.IGNORE if ignore_conflicts else None
    fields = [model._meta.get_field(name) for name in columns]
    source = f"SELECT {', '.join(ops.quote_name(a) for a in aliases)} FROM {STAGE}"
    statement = "{} {} ({}) {} {}".format(
        ops.insert_statement(on_conflict=on_conflict),
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
        source if staged else sql,
        ops.on_conflict_suffix_sql(fields, on_conflict, None, None),
    )
    with connection.cursor() as cursor:
        if not staged:
            cursor.execute(statement, params)
            return cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(f"CREATE TEMP TABLE {STAGE} AS {sql}", params)
        try:
            cursor.execute(statement)
            return cursor.rowcount
        finally:
            cursor.execute(f"DROP TABLE {STAGE}")


def insert_objects(model: type[Model], objs: list, *, ignore_conflicts: bool = False) -> None:
    """``bulk_create`` for rows with long texts (the digests' HTML, markdown and payload):
    on PostgreSQL sent with server-side binding (core.sql.execute_many), which ships the
    values as they are.
    Django binds on the client, and its bulk insert passes each column as an array
    literal that psycopg escapes in Python quote by quote: 0.4 s for 280 digests."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=1000, ignore_conflicts=ignore_conflicts)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    sql = "INSERT INTO {} ({}) VALUES ({}){}".format(
        ops.quote_name(model._meta.db_table),
        ", ".join(ops.quote_name(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        " ON CONFLICT DO NOTHING" if ignore_conflicts else "",
    )
    rows = [
        [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields] for obj in objs
    ]
    execute_many(sql, rows)


# A day's warnings are "few" below this share of the people register (planned_for).
FEW_SHARE = 0.05
INDEX_FRIENDLY_RANDOM_PAGE_COST = "1.1"


@contextmanager
def planned_for(rows: int, of: type[Model]):
    """PostgreSQL: plan the statements inside for ``rows`` rows joined to the table of
    ``of`` by its key. When they are few (an ordinary morning: a few thousand warnings
    against hundreds of thousands of people), index lookups cost what they cost on a
    database in memory (random_page_cost 1.1, the usual SSD setting) and the joins are
    made in the order the statements write them, from those rows out
    (join_collapse_limit 1), for the enclosing transaction only. With the default 4,
    made for spinning disks, every fan-out statement hashed the whole people table
    (80 ms each, 1 s of the next day's 2 s scan at 1,000,000 certificates), and a
    misestimated join (12 area heads' site links guessed as 1 row) walked every person
    of their sites. Many rows (the first scan of a register) keep the server's settings,
    under which the hash joins they want are chosen. Yields whether the rows counted as
    few. After an error the settings are left to the rollback, which undoes them."""
    if connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [of._meta.db_table]
        )
        found = cursor.fetchone()
        few = found is not None and rows < max(found[0], 0) * FEW_SHARE
        if few:
            cursor.execute(f"SET LOCAL random_page_cost = {INDEX_FRIENDLY_RANDOM_PAGE_COST}")
            cursor.execute("SET LOCAL join_collapse_limit = 1")
    yield few
    if few:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL random_page_cost = DEFAULT")
            cursor.execute("SET LOCAL join_collapse_limit = DEFAULT")


class Pipes(Func):
    """Text joined with ``||`` (SQLite and PostgreSQL); unlike ``Concat`` no COALESCE
    around every part, the parts are never NULL here."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


def text(expression) -> Func:
    return Cast(expression, CharField())


class IsoDate(Func):
    """A date as ``YYYY-MM-DD`` (``date.isoformat()``), whatever the server's DateStyle."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM-DD')")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="%(expressions)s")  # stored so


class DaysFrom(Func):
    """Whole days from the date ``start`` to the date expression: ``(date - start).days``."""

    output_field = IntegerField()

    def __init__(self, expression, start):
        super().__init__(expression, Value(start))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(%(expressions)s::date)", arg_joiner=" - "
        )

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(julianday(%(expressions)s) AS integer)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(")


class RandomUUID(Func):
    """A fresh version-4 UUID per row (the outbox's idempotency key, Notification.key)."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        return "gen_random_uuid()", []

    def as_sqlite(self, compiler, connection, **extra):
        # Django keeps a UUID on SQLite as 32 hex digits; version nibble 4, variant 8-b.
        hexes = "lower(hex(randomblob(16)))"
        sql = (
            f"(substr({hexes}, 1, 12) || '4' || substr({hexes}, 1, 3)"
            f" || substr('89ab', 1 + abs(random() % 4), 1) || substr({hexes}, 1, 15))"
        )
        return sql, []


# django.utils.html.escape, in SQL: & first, so the entities added after stay as they are.
HTML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#x27;"))


def html_escaped(expression) -> Func:
    for char, entity in HTML_ESCAPES:
        expression = Replace(expression, Value(char), Value(entity))
    return expression
