"""Plain SQL for the hottest path, the gate check (its person statement and the one that
records the decision), as server-side prepared statements.

Django binds parameters on the client (psycopg's ClientCursor), so PostgreSQL parses and
plans every execution anew: for the gate check's person statement that was 0.55 ms of
server CPU against 0.12 ms prepared. ``fetch`` runs a statement through a server-binding
psycopg cursor on the request's own connection, which prepares it on first use (the
connection's ``prepare_threshold``, settings.DATABASES OPTIONS) and from then on only
executes it. Django's own queries are not affected: its ClientCursor never prepares.

``SAFEWORK_DB_PREPARE=false`` turns preparing off, for a pooler in transaction mode that
does not track prepared statements (PgBouncer before 1.21, or max_prepared_statements 0).
"""

from __future__ import annotations

import psycopg
from django.db import connection


def fetch(sql: str, params: list | tuple, *, one: bool = False):
    """The rows of ``sql`` (``%s`` placeholders), or with ``one`` the first row (None if
    there is none). PostgreSQL errors arrive as Django's (``IntegrityError`` …)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if one else cursor.fetchall()
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone() if one else cursor.fetchall()


def execute_many(sql: str, rows: list) -> None:
    """``sql`` (``%s`` placeholders) once per row of ``rows``. On PostgreSQL with
    server-side binding, pipelined: the values travel apart from the statement instead of
    being escaped into its text in Python (long texts: the alerts' digests)."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.executemany(sql, rows)
