"""Fast append-only inserts for rows nobody needs the ids of (audit rows, status history).

On PostgreSQL this streams rows with ``COPY … FROM STDIN``, several times cheaper than a
multi-row INSERT built by the ORM; elsewhere it falls back to ``bulk_create``. Only for models
with no database-side defaults beyond the auto primary key and no save() logic.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import AutoField, BigAutoField, JSONField, Model


def append_rows(objs: Sequence[Model], *, assign_ids: bool = False) -> None:
    """Insert ``objs`` (all of one model). With ``assign_ids`` each object gets its primary key
    (reserved from the table's sequence on PostgreSQL) so that later rows can refer to it."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoField | BigAutoField)]
    if assign_ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [model._meta.db_table, len(objs)])
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        fields = [model._meta.pk, *fields]
    # psycopg adapts str, int, Decimal, bool, None and aware datetimes itself; only JSON needs encoding.
    json_fields = {f.attname for f in fields if isinstance(f, JSONField)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([
                    json.dumps(getattr(obj, f.attname), cls=DjangoJSONEncoder) if f.attname in json_fields
                    else getattr(obj, f.attname)
                    for f in fields
                ])
