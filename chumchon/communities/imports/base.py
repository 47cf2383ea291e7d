"""What every registry import shares: the header, cell reading, reach, problems, counts."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

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
    """Reads rows (`add`), checks them against the registry (`resolve`), writes (`commit`)."""

    kind: str = ""

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
