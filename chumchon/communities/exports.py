"""Lists to Excel (.xlsx) and CSV with Thai headers, for offices that live in Excel.

`core.excel` writes both with the formula guard: no cell can start a live formula (=, +, -, @,
also after spaces or as full-width characters). The community export uses the import
template's columns first, so an exported file can be imported again. The people export holds
personal data: it needs `personal.export` where it is taken, is logged (who, filter, row
count), shows national IDs masked, and shows welfare flags (and the legal basis for them) only
to those allowed to see them. The household export (house, community, head, member count,
tenure, condition) shows what the community page shows to `people.view` holders; it is logged
too, as it names the heads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse
from django.utils import timezone, translation

from chumchon.core.audit import record_event
from chumchon.core.excel import write_csv, write_xlsx
from chumchon.core.national_id import mask_national_id

from .imports.columns import COMMUNITY_COLUMNS, PEOPLE_COLUMNS
from .models import Community, Household, Membership, Person
from .selectors import with_head_and_members, with_registry_counts

FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YES, NO = "ใช่", "ไม่ใช่"
SEX_WORDS = {"M": "ชาย", "F": "หญิง"}
#: Relation words the import reads back (domain.RELATION_ALIASES).
RELATION_WORDS = {
    "head": "หัวหน้าครัวเรือน",
    "spouse": "คู่สมรส",
    "child": "บุตร",
    "father": "บิดา",
    "mother": "มารดา",
    "grandchild": "หลาน",
    "sibling": "พี่น้อง",
    "relative": "ญาติ",
    "resident": "ผู้อาศัย",
}
STATUS_WORDS = {"active": "ดำเนินการ", "dissolved": "ยุบแล้ว"}
PERSON_STATUS_WORDS = {"alive": "มีชีวิต", "deceased": "เสียชีวิต", "moved_out": "ย้ายออก"}
FLAG_HEADERS = (
    ("elderly", "ผู้สูงอายุ"),
    ("disability", "ผู้พิการ"),
    ("bedridden", "ผู้ป่วยติดเตียง"),
    ("chronic_illness", "ผู้ป่วยโรคเรื้อรัง"),
    ("child_in_need", "เด็กที่ต้องการความช่วยเหลือ"),
    ("disaster_victim", "ผู้ประสบภัย"),
    ("poor_household", "ครัวเรือนยากจน"),
)


def export_response(
    fmt: str, filename: str, sheet: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        response = HttpResponse(write_csv(header, rows), content_type="text/csv; charset=utf-8")
        name = f"{filename}-{stamp}.csv"
    else:
        response = HttpResponse(write_xlsx([(sheet, header, rows)]), content_type=XLSX_TYPE)
        name = f"{filename}-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def thai_labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Choice code -> its Thai label (exports are in Thai whatever the user's language)."""
    with translation.override("th"):
        return {code: str(label) for code, label in choices}


# --- communities ------------------------------------------------------------------------

COMMUNITY_EXTRA = ("ชื่อเขต", "สถานะ", "วันที่ยุบ", "ครัวเรือนในทะเบียน", "ประชากรในทะเบียน")


def community_header() -> list[str]:
    return [c.thai for c in COMMUNITY_COLUMNS] + list(COMMUNITY_EXTRA)


def _coordinate(value: Any) -> float | None:
    return None if value is None else float(value)


def community_rows(queryset: QuerySet[Community], on: date | None = None) -> Iterable[list[Any]]:
    """Rows in the template's columns (re-importable); registry counts as of `on` if given."""
    communities = with_registry_counts(
        queryset.select_related("area__parent", "type").order_by("area__path"), on=on
    )
    for c in communities.iterator(chunk_size=2000):
        district = c.area.parent
        yield [
            district.code if district else "",
            c.area.code,
            c.area.name_th,
            c.type.name_th,
            c.announcement_no,
            c.announced_on,
            c.declared_families,
            c.declared_households,
            c.declared_population,
            _coordinate(c.lat),
            _coordinate(c.lng),
            district.name_th if district else "",
            STATUS_WORDS.get(c.status, c.status),
            c.dissolved_on,
            c.registry_households,
            c.registry_population,
        ]


# --- people -----------------------------------------------------------------------------


def people_header(with_flags: bool) -> list[str]:
    header = []
    for column in PEOPLE_COLUMNS:
        if column.key == "national_id":
            header.append(f"{column.thai} (ปิดบางส่วน)")
        elif column.key in ("disability_card", "legal_basis") and not with_flags:
            continue
        else:
            header.append(column.thai)
    header += ["ชื่อชุมชน", "สถานะ", "อายุ"]
    if with_flags:
        header += [title for _code, title in FLAG_HEADERS]
    return header


def people_queryset(queryset: QuerySet[Person]) -> QuerySet[Person]:
    open_membership = Membership.objects.filter(person=OuterRef("pk"), until__isnull=True)
    return (
        queryset.select_related("household__community__area", "area")
        .annotate(
            current_relation=Subquery(open_membership.values("relation")[:1]),
            current_in_house=Subquery(open_membership.values("in_house_registration")[:1]),
            current_since=Subquery(open_membership.values("since")[:1]),
        )
        .order_by("area__path", "household__house_no", "household_id", "pk")
    )


def _relation_word(person: Person) -> str:
    code = person.current_relation or ""
    if code == "in_law":
        return "เขย" if person.sex == "M" else "สะใภ้"
    return RELATION_WORDS.get(code, code)


def people_rows(queryset: QuerySet[Person], with_flags: bool) -> Iterable[list[Any]]:
    today = timezone.localdate()
    basis_words = thai_labels(Person.LegalBasis.choices)
    for p in people_queryset(queryset).iterator(chunk_size=2000):
        household = p.household
        community = household.community if household else None
        row = [
            community.area.code if community else p.area.code,
            household.house_no if household else "",
            household.house_code if household else "",
            mask_national_id(p.national_id),
            p.prefix,
            p.first_name,
            p.last_name,
            SEX_WORDS.get(p.sex, ""),
            p.birth_date,
            _relation_word(p),
            "" if p.current_in_house is None else (YES if p.current_in_house else NO),
            p.current_since,
        ]
        if with_flags:
            row += [p.disability_card, basis_words.get(p.sensitive_legal_basis, "")]
        row += [
            p.phone,
            community.area.name_th if community else p.area.name_th,
            PERSON_STATUS_WORDS.get(p.status, p.status),
            p.age_on(today),
        ]
        if with_flags:
            flags = set(p.welfare_flags())
            row += [YES if code in flags else "" for code, _title in FLAG_HEADERS]
        yield row


def people_export(
    *,
    actor: Any,
    queryset: QuerySet[Person],
    fmt: str,
    filters: dict[str, str],
    area_path: str,
    with_flags: bool,
) -> HttpResponse:
    """The people export as a response, logged with who, the filter and the row count."""
    rows = list(people_rows(queryset, with_flags))
    record_event(
        actor=actor,
        action="registry.export",
        changes={"kind": "people", "format": fmt, "filter": filters, "rows": len(rows)},
        area_path=area_path,
        object_label="people",
    )
    return export_response(fmt, "people", "สมาชิก", people_header(with_flags), rows)


# --- households -------------------------------------------------------------------------

HOUSEHOLD_HEADER = (
    "รหัสชุมชน",
    "ชื่อชุมชน",
    "บ้านเลขที่",
    "รหัสประจำบ้าน",
    "หัวหน้าครัวเรือน",
    "จำนวนสมาชิก",
    "การถือครองที่อยู่อาศัย",
    "สภาพที่อยู่อาศัย",
)


def households_queryset(queryset: QuerySet[Household]) -> QuerySet[Household]:
    return with_head_and_members(queryset.select_related("community__area")).order_by(
        "community__area__path", "house_no_key", "pk"
    )


def household_rows(queryset: QuerySet[Household]) -> Iterable[list[Any]]:
    tenures = thai_labels(Household.Tenure.choices)
    conditions = thai_labels(Household.Condition.choices)
    for h in households_queryset(queryset).iterator(chunk_size=2000):
        head = " ".join(
            part
            for part in (
                f"{h.head_prefix or ''}{h.head_first_name or ''}",
                h.head_last_name or "",
            )
            if part
        )
        yield [
            h.community.area.code,
            h.community.area.name_th,
            h.house_no,
            h.house_code,
            head,
            h.member_count,
            tenures.get(h.tenure, ""),
            conditions.get(h.condition, ""),
        ]


def household_export(
    *,
    actor: Any,
    queryset: QuerySet[Household],
    fmt: str,
    filters: dict[str, str],
    area_path: str,
) -> HttpResponse:
    """The household export as a response, logged with who, the filter and the row count."""
    rows = list(household_rows(queryset))
    record_event(
        actor=actor,
        action="registry.export",
        changes={"kind": "households", "format": fmt, "filter": filters, "rows": len(rows)},
        area_path=area_path,
        object_label="households",
    )
    return export_response(fmt, "households", "ครัวเรือน", HOUSEHOLD_HEADER, rows)
