"""What every registry import shares: the header, cell reading, reach, problems, counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .columns import COLUMNS, Column, header_key, lookup
from .problems import CellError, Problem

#: A cell that could not be read (its problem is already recorded).
INVALID = object()
#: A column the file does not have.
ABSENT = object()

CHUNK = 900  # ids per IN (...) query: well under SQLite's variable limit


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Importer:
    """Reads rows (`add`), checks them against the registry (`resolve`), writes (`commit`).

    A streaming importer (`chunk_rows` set) is driven otherwise, inside one transaction:
    `begin`, then `add` for each row and `flush` every `chunk_rows` rows (check the rows added
    since the last flush against the registry and write them, until a problem is found), then
    `finish` (checks that need the whole file, deferred writes), and `close` in any case. The
    caller rolls everything back when there are problems or for a dry run."""

    kind: str = ""
    #: Rows per chunk for a streaming importer; None: read everything, resolve, commit.
    chunk_rows: int | None = None

    def __init__(self, *, actor: Any, allowed_paths: list[str] | None):
        self.actor = actor
        self.user = actor if getattr(actor, "is_authenticated", False) else None
        self.allowed_paths = allowed_paths
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.columns: tuple[Column, ...] = COLUMNS[self.kind]
        self.position = {c.key: i for i, c in enumerate(self.columns)}
        self.headers: dict[str, str] = {}
        self.index: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.rows_read = 0
        self.touched_paths: set[str] = set()

    # --- header --------------------------------------------------------------------------

    def bind_header(self, cells: list[Any]) -> list[Problem]:
        known = lookup(self.kind)
        problems: list[Problem] = []
        for index, cell in enumerate(cells):
            # as written in the file (surrounding spaces aside): error lines name it so
            written = "" if cell is None else str(cell).strip()
            column = known.get(header_key(written))
            if column is None:
                continue
            if column.key in self.index:
                problems.append(
                    Problem(
                        None,
                        None,
                        _("The column “%(header)s” appears twice (as “%(first)s” too)."),
                        {"header": written, "first": self.headers[column.key]},
                    )
                )
                continue
            self.index[column.key] = index
            self.headers[column.key] = written
        for column in self.columns:
            if column.required and column.key not in self.index:
                problems.append(
                    Problem(
                        None,
                        None,
                        _("The required column %(key)s (%(thai)s) is missing."),
                        {"key": column.key, "thai": column.thai},
                    )
                )
        return problems

    def values(self, cells: list[Any]) -> dict[str, Any]:
        return {k: (cells[i] if i < len(cells) else None) for k, i in self.index.items()}

    # --- cells ---------------------------------------------------------------------------

    def error(self, row: int, key: str, message: Any, **params: Any) -> None:
        self.problems.append(Problem(row, self.headers.get(key, key), message, params))

    def cell(
        self,
        row: int,
        values: dict[str, Any],
        key: str,
        reader: Callable[[Any], Any],
        *,
        required: bool = False,
    ) -> Any:
        """The value of column `key` read by `reader`; ABSENT when the file lacks the column,
        INVALID (problem recorded) when it cannot be used."""
        if key not in values:
            return ABSENT
        raw = values[key]
        if required and blank(raw):
            self.error(row, key, _("This value is required."))
            return INVALID
        try:
            return reader(raw)
        except CellError as exc:
            self.error(row, key, exc.message, **exc.params)
            return INVALID

    # --- reach ---------------------------------------------------------------------------

    def in_reach(self, path: str) -> bool:
        if self.allowed_paths is None:
            return True
        return any(path.startswith(p) for p in self.allowed_paths)

    # --- to implement --------------------------------------------------------------------

    def add(self, row: int, cells: list[Any]) -> None:
        raise NotImplementedError

    def resolve(self) -> None:
        raise NotImplementedError

    def commit(self, *, change_reason: str) -> None:
        raise NotImplementedError

    # streaming importers only
    def begin(self, *, write: bool, change_reason: str, outermost: bool = False) -> None:
        """`outermost`: the import's transaction is not inside another one."""
        raise NotImplementedError

    def flush(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Called last, also after an error: stop any work still running (no write may
        happen once the transaction is over)."""

    def report(self, progress: Callable[[int, int | None], None], done: int, total: Any) -> None:
        """Pass on the progress (a streaming importer may do it outside its transaction)."""
        progress(done, total)

    @property
    def counts(self) -> dict[str, int]:
        raise NotImplementedError

    def sorted_problems(self) -> list[Problem]:
        order = self.position

        def key(p: Problem) -> tuple[int, int]:
            column = next((k for k, h in self.headers.items() if h == p.column), "")
            return (p.row or 0, order.get(column, len(order)))

        return sorted(self.problems, key=key)

    def area_path(self) -> str:
        """The deepest area path common to everything written (for the audit event)."""
        paths = [p.strip("/").split("/") for p in self.touched_paths if p]
        if not paths:
            return ""
        common = paths[0]
        for parts in paths[1:]:
            n = 0
            while n < min(len(common), len(parts)) and common[n] == parts[n]:
                n += 1
            common = common[:n]
        return "/" + "/".join(common) + "/" if common else ""


def update_many(
    model: type,
    changes: Iterable[tuple[Any, set[str]]],
    *,
    history: dict[str, Any] | None = None,
    touch: Any = None,
) -> int:
    """UPDATE each record's changed fields with one `executemany` per set of fields (Django's
    `bulk_update` builds a CASE per field and record: ten times slower at 10,000 records).

    `touch`: a value for `updated_at`. `history`: write one history row per record (bulk),
    with these arguments (default_user, default_change_reason)."""
    from django.db import connection

    groups: dict[frozenset[str], list[Any]] = {}
    for obj, fields in changes:
        groups.setdefault(frozenset(fields), []).append(obj)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    touched = []
    for names, objs in groups.items():
        fields = [model._meta.get_field(name) for name in sorted(names)]
        if touch is not None:
            fields.append(model._meta.get_field("updated_at"))
        sets = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
        pk = connection.ops.quote_name(model._meta.pk.column)
        sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608 (names from the model)
        params = []
        for obj in objs:
            if touch is not None:
                obj.updated_at = touch
            params.append(
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields] + [obj.pk]
            )
        with connection.cursor() as cursor:
            for batch in chunks(params, 2000):
                cursor.executemany(sql, batch)
        count += len(objs)
        touched.extend(objs)
    if history is not None and touched:
        model.history.bulk_history_create(touched, update=True, batch_size=500, **history)
    return count


def one_of(model: Any, name: str, values: list[Any]) -> Any:
    """A filter for `model.objects.filter(...)`: field `name` is one of `values`. On PostgreSQL
    one array parameter (`= ANY(%s)`): Django compiles IN (...) at tens of microseconds per
    value, longer than the query takes; elsewhere IN (...) (mind SQLite's variable limit)."""
    from django.db import connection
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    if connection.vendor != "postgresql":
        return Q(**{f"{name}__in": values})
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(name).column)}"
    return RawSQL(f"{column} = ANY(%s)", (list(values),), output_field=BooleanField())  # noqa: S611


# --- writing with COPY (PostgreSQL) -----------------------------------------------------------


def copy_supported() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _column_default(field: Any) -> Any:
    from django.db import models

    if field.has_default() and not callable(field.default):
        return field.get_default()
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return None  # given for every row (or a callable default: see TableRows.callables)


def copy_text(value: Any) -> Any:
    """A constant as COPY's text (psycopg then sends it as it is, cheaper than dumping the
    value for every row); None stays None (NULL)."""
    import datetime as dt

    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


class TableRows:
    """Rows of a model's table as lists in `columns` order, for COPY: every concrete column
    except `skip`, filled with the field defaults (callable defaults are called per row), the
    values given by attname overriding them."""

    def __init__(self, model: Any, *, skip: Iterable[str] = ()):
        skipped = set(skip)
        fields = [f for f in model._meta.concrete_fields if f.attname not in skipped]
        self.model = model
        self.table = model._meta.db_table
        self.columns = [f.column for f in fields]
        self.position = {f.attname: i for i, f in enumerate(fields)}
        self.defaults = [copy_text(_column_default(f)) for f in fields]
        self.callables = [
            (i, f.default) for i, f in enumerate(fields) if f.has_default() and callable(f.default)
        ]

    def set_constants(self, **values: Any) -> None:
        """Values every following row gets (no callable default is called for them)."""
        for name, value in values.items():
            self.defaults[self.position[name]] = copy_text(value)
        given = {self.position[name] for name in values}
        self.callables = [(i, d) for i, d in self.callables if i not in given]

    def make(self, values: dict[str, Any]) -> list[Any]:
        row = self.defaults.copy()
        for index, default in self.callables:
            row[index] = default()
        position = self.position
        for name, value in values.items():
            row[position[name]] = value
        return row


def copy_statement(table: str, columns: list[str]) -> Any:
    from psycopg import sql

    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )


def copy_into(table: str, columns: list[str], rows: Iterable[Iterable[Any]]) -> int:
    """COPY rows into `table` in the current transaction (Django's connection); the count."""
    from django.db import connection

    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(copy_statement(table, columns)) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def send_copy_rows(raw: Any, table: str, columns: list[str], rows: list[list[Any]]) -> None:
    """COPY rows into `table` on `raw`, a psycopg connection (Django's, used from another
    thread, in the same transaction)."""
    with raw.cursor() as cursor, cursor.copy(copy_statement(table, columns)) as copy:
        for row in rows:
            copy.write_row(row)


def next_ids(model: Any, count: int) -> list[int]:
    """`count` values of the model's id sequence (PostgreSQL): ids for rows written by COPY."""
    from django.db import connection

    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [value for (value,) in cursor.fetchall()]


# --- compact state for a whole file -----------------------------------------------------------


class IntMap:
    """A mapping of non-negative ints to ints in two arrays (open addressing, linear probing):
    about 25 bytes an entry where a dict of ints takes about 100. For what an import keeps
    about every row of a large file (national IDs, house codes, household ids)."""

    __slots__ = ("_keys", "_mask", "_shift", "_values", "size")

    def __init__(self, capacity: int = 1 << 10):
        self.size = 0
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        from array import array

        self._keys = array("q", [-1]) * capacity
        self._values = array("q", [0]) * capacity
        self._mask = capacity - 1
        self._shift = 65 - capacity.bit_length()

    def _slot(self, key: int) -> int:
        keys = self._keys
        i = ((key * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> self._shift
        while True:
            k = keys[i]
            if k == key or k < 0:
                return i
            i = (i + 1) & self._mask

    def get(self, key: int, default: Any = None) -> Any:
        i = self._slot(key)
        return self._values[i] if self._keys[i] == key else default

    def __contains__(self, key: int) -> bool:
        return self._keys[self._slot(key)] == key

    def __len__(self) -> int:
        return self.size

    def __setitem__(self, key: int, value: int) -> None:
        self.setdefault(key, value, replace=True)

    def setdefault(self, key: int, value: int, *, replace: bool = False) -> int:
        """The value held for `key`; `value` (stored) when there is none (or `replace`)."""
        if key < 0:
            raise ValueError("IntMap keys are non-negative")
        i = self._slot(key)
        if self._keys[i] == key:
            if not replace:
                return self._values[i]
        else:
            self._keys[i] = key
            self.size += 1
        self._values[i] = value
        if self.size * 2 > len(self._keys):
            self._grow()
        return value

    def _grow(self) -> None:
        keys, values = self._keys, self._values
        self._allocate(len(keys) * 2)
        for key, value in zip(keys, values, strict=True):
            if key >= 0:
                i = self._slot(key)
                self._keys[i] = key
                self._values[i] = value
