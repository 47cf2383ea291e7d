"""One import from start to end: check the file, read every row, check everything against the
registry, then write all of it in one transaction, or nothing. A streaming importer (people)
reads, checks and writes chunk by chunk inside that one transaction (`_run_streaming`).

Used by the command (`import_registry`), the background task (`tasks.run_registry_import`) and,
through the task, the upload page and the API.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _

from chumchon.core.audit import record_event
from chumchon.core.excel import write_xlsx

from ..permissions import import_areas
from .base import Importer
from .columns import COMMUNITIES, KINDS, PEOPLE, SURVEYS
from .communities import CommunityImport
from .files import open_sheet
from .people import PeopleImport
from .problems import FileRefused, Problem
from .surveys import SurveyImport, survey_import_areas

IMPORTERS: dict[str, type[Importer]] = {
    PEOPLE: PeopleImport,
    COMMUNITIES: CommunityImport,
    SURVEYS: SurveyImport,
}
PROGRESS_EVERY = 500
ERRORS_COLUMN = "ข้อผิดพลาด (errors)"

Progress = Callable[[int, int | None], None]


@dataclass
class ImportResult:
    kind: str
    filename: str
    sha256: str
    dry_run: bool = False
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    committed: bool = False
    _lines: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def error_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = [p.render() for p in self.problems]
        return self._lines

    def summary_lines(self) -> list[str]:
        """What a successful import prints; the last line is exactly
        "created N, updated N, unchanged N"."""
        c = self.counts
        lines = []
        if self.dry_run:
            lines.append("dry run: the file is valid; nothing was saved")
        if self.kind == PEOPLE:
            lines.append(
                f"households created {c.get('households_created', 0)}, "
                f"updated {c.get('households_updated', 0)}"
            )
            lines.append(
                f"moved to another household {c.get('moved', 0)} "
                f"(from another community {c.get('moved_from_other_community', 0)})"
            )
        if self.kind == SURVEYS:
            lines.append(
                f"surveys submitted {c.get('submitted', 0)}, drafts {c.get('drafts', 0)}, "
                f"members {c.get('members', 0)}, poor households {c.get('poor', 0)}"
            )
        lines.append(
            f"created {c.get('created', 0)}, updated {c.get('updated', 0)}, "
            f"unchanged {c.get('unchanged', 0)}"
        )
        return lines


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_import(
    *,
    kind: str,
    data: bytes,
    filename: str,
    actor: Any = None,
    system: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    options: dict[str, Any] | None = None,
) -> ImportResult:
    """Import `data` (the bytes of an .xlsx or .csv file named `filename`).

    `actor` is the user importing: only communities and districts where they hold
    `records.edit` (surveys: `surveys.record`) can be written (others look unknown).
    `system=True` (the command without --actor) imports everywhere. `options`: the importer's
    own (surveys: draft, replace_drafts).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    result = ImportResult(kind=kind, filename=filename, sha256=file_sha256(data), dry_run=dry_run)
    areas = survey_import_areas if kind == SURVEYS else import_areas
    allowed = None if system else areas(actor)
    if allowed is not None and not allowed:
        message = (
            _("You may not import surveys: you record surveys in no area.")
            if kind == SURVEYS
            else _("You may not import: you edit records in no area.")
        )
        result.problems.append(Problem(None, None, message))
        return result
    importer = IMPORTERS[kind](actor=actor, allowed_paths=allowed, **(options or {}))
    try:
        sheet = open_sheet(data, filename)
        rows = iter(sheet)
        header = next(rows, None)
        if header is None:
            raise FileRefused(_("The file is empty: it has no header and no data."))
        problems = importer.bind_header(header[1])
        if problems:
            result.problems = problems
            return result
        total = sheet.total
        if importer.chunk_rows:
            return _run_streaming(importer, rows, total, result, actor, progress)
        for row, cells in rows:
            importer.add(row, cells)
            if progress and importer.rows_read % PROGRESS_EVERY == 0:
                progress(importer.rows_read, total)
        result.rows = importer.rows_read
        if not importer.rows_read:
            raise FileRefused(_("The file has a header but no data below it."))
        if progress:
            progress(importer.rows_read, importer.rows_read)
        importer.resolve()
    except FileRefused as exc:
        result.problems = [*importer.sorted_problems(), exc.problem]
        return result
    result.problems = importer.sorted_problems()
    result.counts = importer.counts
    if result.problems or dry_run:
        return result
    try:
        with transaction.atomic():
            importer.commit(change_reason=f"import {result.sha256[:16]}")
            record_event(
                actor=actor,
                action="registry.import",
                changes={
                    "kind": kind,
                    "file_sha256": result.sha256,
                    "rows": result.rows,
                    **result.counts,
                },
                area_path=importer.area_path(),
                object_label=filename[:255],
            )
    except DatabaseError:
        result.problems = [_changed_meanwhile()]
        return result
    result.committed = True
    return result


def _run_streaming(
    importer: Importer,
    rows: Any,
    total: int | None,
    result: ImportResult,
    actor: Any,
    progress: Progress | None,
) -> ImportResult:
    """Read, check and write chunk by chunk in one transaction (all or nothing): the writes
    stop at the first problem, the reading goes on to report every problem, and anything
    written is rolled back when there is one (or for a dry run)."""
    size = importer.chunk_rows or PROGRESS_EVERY
    outermost = not transaction.get_connection().in_atomic_block
    try:
        with transaction.atomic():
            try:
                _stream(importer, rows, total, result, progress, size, outermost)
            finally:
                importer.close()  # nothing may write once the transaction is over
            if result.problems or result.dry_run:
                transaction.set_rollback(True)
            else:
                record_event(
                    actor=actor,
                    action="registry.import",
                    changes={
                        "kind": result.kind,
                        "file_sha256": result.sha256,
                        "rows": result.rows,
                        **result.counts,
                    },
                    area_path=importer.area_path(),
                    object_label=result.filename[:255],
                )
    except FileRefused as exc:
        result.problems = [*importer.sorted_problems(), exc.problem]
        return result
    except DatabaseError:
        result.problems = [_changed_meanwhile()]
        return result
    result.committed = not (result.problems or result.dry_run)
    return result


def _stream(
    importer: Importer,
    rows: Any,
    total: int | None,
    result: ImportResult,
    progress: Progress | None,
    size: int,
    outermost: bool,
) -> None:
    importer.begin(
        write=not result.dry_run,
        change_reason=f"import {result.sha256[:16]}",
        outermost=outermost,
    )
    pending = 0
    for row, cells in rows:
        importer.add(row, cells)
        pending += 1
        if pending >= size:
            importer.flush()
            pending = 0
        if progress and importer.rows_read % PROGRESS_EVERY == 0:
            importer.report(progress, importer.rows_read, total)
    if pending:
        importer.flush()
    result.rows = importer.rows_read
    if not importer.rows_read:
        raise FileRefused(_("The file has a header but no data below it."))
    if progress:
        importer.report(progress, importer.rows_read, importer.rows_read)
    importer.finish()
    result.problems = importer.sorted_problems()
    result.counts = importer.counts


def _changed_meanwhile() -> Problem:
    return Problem(
        None,
        None,
        _(
            "The registry changed while the file was being imported, so nothing was "
            "saved. Import the file again."
        ),
    )


def error_workbook(data: bytes, filename: str, result: ImportResult) -> bytes:
    """The uploaded sheet with an added errors column (the error lines of each row), and a
    second sheet listing every error line; a refused file gets only the list."""
    by_row: dict[int, list[str]] = {}
    for problem, line in zip(result.problems, result.error_lines, strict=True):
        if problem.row is not None:
            by_row.setdefault(problem.row, []).append(line)
    sheets: list[tuple[str, list[str], Any]] = []
    try:
        sheet = open_sheet(data, filename, checked=True) if by_row else None
    except FileRefused:
        sheet = None
    if sheet is not None:
        rows = list(_numbered_rows(sheet, by_row))
        if rows:
            header, body = rows[0], rows[1:]
            sheets.append(("ข้อมูล", header, body))
    sheets.append(("errors", [ERRORS_COLUMN], [[line] for line in result.error_lines]))
    return write_xlsx(sheets)


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    if hasattr(value, "year"):
        return value
    return str(value)


def _numbered_rows(sheet: Any, by_row: dict[int, list[str]]):
    """The sheet's rows at their spreadsheet positions (blank rows kept), errors appended."""
    width = 0
    expected = None
    for number, cells in sheet:
        if expected is None:  # the header
            width = len(cells)
            yield [_cell(c) for c in cells] + [ERRORS_COLUMN]
            expected = number + 1
            continue
        while expected < number:
            yield [""] * width + ["\n".join(by_row.get(expected, []))]
            expected += 1
        padded = [_cell(c) for c in cells] + [""] * max(0, width - len(cells))
        yield padded + ["\n".join(by_row.get(number, []))]
        expected = number + 1
