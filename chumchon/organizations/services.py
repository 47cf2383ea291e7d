"""Every write to the area tree."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chumchon.core.audit import model_changes, record_event, snapshot

from .models import Area, AreaKind

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
CSV_COLUMNS = ("code", "name_th", "name_en", "kind", "parent_code")


def validate_area_code(code: str) -> None:
    if not CODE_RE.match(code or ""):
        raise ValidationError(
            _(
                "Area code %(code)r is not valid: use 1 to 40 letters, digits, '-', '_' or '.', "
                "starting with a letter or digit."
            )
            % {"code": code},
            code="invalid_code",
        )


def _repath_subtree(area: Area, old_path: str) -> None:
    for child in Area.objects.filter(path__startswith=old_path).exclude(pk=area.pk):
        child.path = area.path + child.path[len(old_path) :]
        child.depth = child.path.count("/") - 2
        child.save(update_fields=["path", "depth", "updated_at"])


def _place(area: Area) -> None:
    if area.parent_id and area.parent.path.startswith(area.path if area.pk and area.path else "\0"):
        raise ValidationError(
            {"parent": _("An area cannot be placed under itself or its own descendant.")},
            code="cycle",
        )
    area.path = Area.build_path(area.parent, area.code)
    area.depth = area.path.count("/") - 2


@transaction.atomic
def area_create(
    *,
    actor: Any,
    code: str,
    name_th: str,
    kind: AreaKind,
    parent: Area | None,
    name_en: str = "",
) -> Area:
    validate_area_code(code)
    area = Area(code=code, name_th=name_th, name_en=name_en, kind=kind, parent=parent)
    _place(area)
    area.full_clean()
    area.save()
    record_event(actor=actor, action="area.create", obj=area, changes=snapshot(area))
    return area


@transaction.atomic
def area_update(*, actor: Any, area: Area, **values: Any) -> Area:
    allowed = {"name_th", "name_en", "kind", "parent", "is_active"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    before = snapshot(area)
    old_path = area.path
    for name, value in values.items():
        setattr(area, name, value)
    if "parent" in values:
        if area.parent_id and area.parent.path.startswith(old_path):
            raise ValidationError(
                {"parent": _("An area cannot be placed under itself or its own descendant.")},
                code="cycle",
            )
        _place(area)
    area.full_clean()
    area.save()
    if area.path != old_path:
        _repath_subtree(area, old_path)
    changes = model_changes(before, snapshot(area))
    if changes:
        record_event(actor=actor, action="area.update", obj=area, changes=changes)
    return area


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class RowErrors(ValidationError):
    """All the errors of an import, each naming its row and column."""

    def __init__(self, errors: list[str]):
        super().__init__(errors)
        self.row_errors = errors


def read_area_csv(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RowErrors(
            [
                _("The file lacks the column(s) %(columns)s; expected: %(expected)s.")
                % {"columns": ", ".join(missing), "expected": ",".join(CSV_COLUMNS)}
            ]
        )
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


@transaction.atomic
def areas_load(*, actor: Any, rows: Iterable[Mapping[str, str]]) -> LoadResult:
    """Load or update a tree from rows of code,name_th,name_en,kind,parent_code.

    Rows may come in any order; a root has an empty parent_code. All or nothing: every error is
    reported with its row number (the header is row 1) and nothing is saved.
    """
    rows = list(rows)
    errors: list[str] = []
    kinds = {k.code: k for k in AreaKind.objects.all()}
    by_code: dict[str, tuple[int, Mapping[str, str]]] = {}
    for index, row in enumerate(rows, start=2):
        code = row.get("code", "")
        try:
            validate_area_code(code)
        except ValidationError as exc:
            errors.append(
                _("Row %(row)d, column code: %(error)s") % {"row": index, "error": exc.messages[0]}
            )
            continue
        if code in by_code:
            errors.append(
                _("Row %(row)d, column code: %(code)s already appears in row %(first)d.")
                % {"row": index, "code": code, "first": by_code[code][0]}
            )
            continue
        by_code[code] = (index, row)
        if not row.get("name_th"):
            errors.append(
                _("Row %(row)d, column name_th: the Thai name is empty.") % {"row": index}
            )
        if row.get("kind") not in kinds:
            errors.append(
                _("Row %(row)d, column kind: unknown level %(kind)r (known: %(known)s).")
                % {"row": index, "kind": row.get("kind"), "known": ", ".join(sorted(kinds))}
            )
    existing = {
        a.code: a
        for a in Area.objects.select_related("kind").filter(
            code__in=[*by_code, *[r.get("parent_code", "") for _i, r in by_code.values()]]
        )
    }
    for code, (index, row) in by_code.items():
        parent_code = row.get("parent_code", "")
        if parent_code and parent_code not in by_code and parent_code not in existing:
            errors.append(
                _("Row %(row)d, column parent_code: no area has the code %(code)r.")
                % {"row": index, "code": parent_code}
            )
        if parent_code == code:
            errors.append(
                _("Row %(row)d, column parent_code: an area cannot be its own parent.")
                % {"row": index}
            )
    # Order parents before children; detect cycles among the file's rows.
    ordered: list[str] = []
    state: dict[str, int] = {}

    def visit(code: str, trail: tuple[str, ...]) -> None:
        if state.get(code) == 2:
            return
        if state.get(code) == 1:
            errors.append(
                _("Rows %(rows)s form a cycle of parents.")
                % {"rows": ", ".join(str(by_code[c][0]) for c in trail)}
            )
            return
        state[code] = 1
        parent_code = by_code[code][1].get("parent_code", "")
        if parent_code in by_code and parent_code != code:
            visit(parent_code, (*trail, code))
        state[code] = 2
        ordered.append(code)

    for code in by_code:
        visit(code, (code,))
    # A level sits below its parent's level (a district cannot go under a community).
    for index, row in by_code.values():
        parent_code = row.get("parent_code", "")
        parent_kind = (
            kinds.get(by_code[parent_code][1].get("kind", ""))
            if parent_code in by_code
            else (existing[parent_code].kind if parent_code in existing else None)
        )
        kind = kinds.get(row.get("kind", ""))
        if kind and parent_kind and kind.rank <= parent_kind.rank:
            errors.append(
                _("Row %(row)d, column kind: a %(kind)s cannot be placed under a %(parent)s.")
                % {"row": index, "kind": kind.name, "parent": parent_kind.name}
            )
    if errors:
        raise RowErrors(errors)

    result = LoadResult()
    for code in ordered:
        index, row = by_code[code]
        parent_code = row.get("parent_code", "")
        parent = Area.objects.get(code=parent_code) if parent_code else None
        kind = kinds[row["kind"]]
        area = Area.objects.filter(code=code).first()
        try:
            if area is None:
                area_create(
                    actor=actor,
                    code=code,
                    name_th=row["name_th"],
                    name_en=row.get("name_en", ""),
                    kind=kind,
                    parent=parent,
                )
                result.created.append(code)
            else:
                values = {
                    "name_th": row["name_th"],
                    "name_en": row.get("name_en", ""),
                    "kind": kind,
                    "parent": parent,
                }
                if all(getattr(area, k) == v for k, v in values.items()):
                    result.unchanged.append(code)
                    continue
                area_update(actor=actor, area=area, **values)
                result.updated.append(code)
        except ValidationError as exc:
            errors.extend(
                _("Row %(row)d: %(error)s") % {"row": index, "error": message}
                for message in exc.messages
            )
    if errors:
        raise RowErrors(errors)
    return result


def area_export_start(*, actor: Any, area: Area):
    """Queue an Excel export of the area's subtree; returns the Job to follow."""
    from chumchon.core.jobs import job_enqueue

    from .tasks import export_areas

    return job_enqueue(
        actor=actor,
        task=export_areas,
        kind="areas.export",
        title=_("Export areas of %(area)s") % {"area": area.display_name},
        area_path=area.path,
        params={"code": area.code},
    )
