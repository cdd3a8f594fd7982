"""The bulk SQL writer: many rows of one table without building a model instance per row.

Django's ``bulk_create`` and ``bulk_update`` build a model instance per row (and ``bulk_update`` one CASE
expression per field over all rows). For the platform's largest writes — survey answers (nine per response,
millions per cycle) and the results of a national recompute — that cost more than the work itself. These
functions take plain tuples of already validated values; the database's constraints still apply.

Only a table's own app calls them, from its ``services.py`` (one write path per table).
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db import connections, models, router

# What a column value may be: the plain values the database driver adapts itself.
Value = bool | int | float | Decimal | str | bytes | date | datetime | None

BATCH = 10_000


def _table_and_columns(model: type[models.Model], fields: Sequence[str]) -> tuple[str, list[models.Field]]:  # type: ignore[type-arg]
    meta = model._meta
    concrete = {f.name: f for f in meta.concrete_fields}
    return str(meta.db_table), [concrete[name] for name in fields]


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Value]]) -> None:
    """Insert ``rows`` (tuples in the order of ``fields``): COPY on PostgreSQL (one stream instead of a
    statement per row), one prepared statement executed many times elsewhere."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, columns = _table_and_columns(model, fields)
    names = ", ".join(quote(str(c.column)) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        batch = [list(row) for row in rows]
        for start in range(0, len(batch), BATCH):
            cursor.executemany(sql, batch[start : start + BATCH])


def insert_values(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Value]]) -> None:
    """Insert a few rows with one multi-row ``INSERT … VALUES (…), (…)``: one round trip, for hot paths
    such as the nine answers of one survey response."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, columns = _table_and_columns(model, fields)
    names = ", ".join(quote(str(c.column)) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({names}) VALUES {', '.join([one] * len(rows))}",
            [value for row in rows for value in row],
        )


def update_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[models.Model]) -> None:
    """Write ``fields`` of ``rows`` (model instances with a primary key), as ``bulk_update`` would, with one
    parameterised UPDATE per row executed as one batch."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    table, columns = _table_and_columns(model, fields)
    assignments = ", ".join(f"{quote(str(c.column))} = %s" for c in columns)
    pk = model._meta.pk
    assert pk is not None
    sql = f"UPDATE {quote(table)} SET {assignments} WHERE {quote(str(pk.column))} = %s"
    params = [
        [c.get_db_prep_save(getattr(row, c.attname), connection) for c in columns] + [row.pk] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
