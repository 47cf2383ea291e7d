"""Import of communities: upsert by code, under a district given by code or name.

The district may be written as its code (1001), its Thai name (พระนคร), "เขต" + name
(เขตพระนคร), its English name, or with the spelling slips seen in real files (BMA's GIS writes
ราษฏร์บูรณะ for ราษฎร์บูรณะ): names are compared without spaces, tone marks and thanthakhat,
and with ฏ read as ฎ. The type is its code (slum) or its Thai label (ชุมชนแออัด).

A community is a leaf area of the tree: a new one gets its area and its registry record (bulk,
with history); an existing one keeps its district (moving it is done on its page). Blank
optional cells leave what the registry holds.

MIRRORS services.py: these rules repeat, for speed and one audit event per import, those of
`services.community_create` (a valid area code unused by any other area, a Thai name, under a
district), `services.community_register_area` (an area of the community level without its
record gets one), `services._check_community` (announcement date not in the future, counts not
negative, latitude and longitude in range and given together) and `services.community_update`
(names live on the area). A change to one of those rules must be made here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from chumchon.organizations.models import Area, AreaKind
from chumchon.organizations.services import validate_area_code

from ..models import Community, CommunityType
from ..services import registry_counts_refresh
from . import cells
from .base import Importer, chunks
from .columns import COMMUNITIES
from .problems import CellError

NAME_MAX = Area._meta.get_field("name_th").max_length
ANNOUNCEMENT_MAX = Community._meta.get_field("announcement_no").max_length
BATCH = 500

_MARKS = re.compile("[\u0e47-\u0e4e\\s.]+")


def name_key(text: str) -> str:
    """How district names are compared: no "เขต", spaces, tone marks or thanthakhat; ฏ = ฎ."""
    text = " ".join(str(text).split())
    if text.startswith("เขต"):
        text = text[3:]
    text = _MARKS.sub("", text).replace("ฏ", "ฎ").lower()
    if text.endswith("district"):
        text = text[: -len("district")]
    return text


def _code(value: Any) -> str:
    code = cells.code_text(value)
    try:
        validate_area_code(code)
    except ValidationError:
        raise CellError(
            _(
                "“%(value)s” is not a valid code: use 1 to 40 letters, digits, '-', '_' or '.', "
                "starting with a letter or digit."
            ),
            value=code,
        ) from None
    return code


@dataclass(slots=True)
class Row:
    row: int
    district: Area
    code: str
    name_th: str
    type: CommunityType
    values: dict[str, Any]  # community fields the row sets


class CommunityImport(Importer):
    kind = COMMUNITIES

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.rows: list[Row] = []
        self.first_row_of_code: dict[str, int] = {}
        districts = list(Area.objects.filter(kind__code="district"))
        self.district_by_code = {d.code: d for d in districts}
        self.district_by_name: dict[str, Area] = {}
        for d in districts:
            for name in (d.name_th, d.name_en):
                if name:
                    self.district_by_name.setdefault(name_key(name), d)
        self.types: dict[str, CommunityType] = {}
        for t in CommunityType.objects.all():
            for name in (t.code, t.name_th, t.name_en):
                if name:
                    self.types.setdefault(" ".join(name.split()).lower(), t)
        self.created: list[tuple[Area, Community]] = []
        self.area_updates: list[Area] = []
        self.record_updates: list[tuple[Community, set[str]]] = []
        self.updated = 0
        self.unchanged = 0

    # --- reading -----------------------------------------------------------------------

    def _district(self, value: Any) -> Area:
        written = cells.code_text(value)
        district = self.district_by_code.get(written) or self.district_by_name.get(
            name_key(written)
        )
        if district is None or not self.in_reach(district.path):
            raise CellError(_("Unknown district “%(value)s”."), value=written)
        return district

    def _type(self, value: Any) -> CommunityType:
        written = " ".join(cells.text(value).split())
        found = self.types.get(written.lower())
        if found is None:
            labels = ", ".join(sorted({t.name_th for t in self.types.values()}))
            raise CellError(
                _("Unknown community type “%(value)s”: use one of %(types)s."),
                value=written,
                types=labels,
            )
        return found

    def add(self, row: int, cells_: list[Any]) -> None:
        self.rows_read += 1
        v = self.values(cells_)
        before = len(self.problems)
        district = self.cell(row, v, "district_code", self._district, required=True)
        code = self.cell(row, v, "code", _code, required=True)
        name_th = self.cell(
            row, v, "name_th", lambda x: cells.limited(cells.text(x), NAME_MAX), required=True
        )
        type_ = self.cell(row, v, "type", self._type, required=True)
        values: dict[str, Any] = {}
        families = self.cell(row, v, "families", cells.whole_number, required=True)
        if isinstance(families, int):
            values["declared_families"] = families
        for key, name in (
            ("households", "declared_households"),
            ("population", "declared_population"),
        ):
            number = self.cell(row, v, key, cells.whole_number)
            if isinstance(number, int):
                values[name] = number
        announcement = self.cell(
            row, v, "announcement_no", lambda x: cells.limited(cells.text(x), ANNOUNCEMENT_MAX)
        )
        if isinstance(announcement, str) and announcement:
            values["announcement_no"] = announcement
        announced = self.cell(row, v, "announced_on", cells.past_date)
        if isinstance(announced, date):
            values["announced_on"] = announced
        lat = self.cell(row, v, "lat", lambda x: cells.coordinate(x, 90))
        lng = self.cell(row, v, "lng", lambda x: cells.coordinate(x, 180))
        if isinstance(lat, Decimal):
            values["lat"] = lat
        if isinstance(lng, Decimal):
            values["lng"] = lng
        if isinstance(code, str):
            first = self.first_row_of_code.setdefault(code, row)
            if first != row:
                self.error(
                    row,
                    "code",
                    _("This community code appears twice in the file: duplicate of row %(first)s"),
                    first=first,
                )
        if len(self.problems) > before:
            return
        self.rows.append(Row(row, district, code, name_th, type_, values))

    # --- checking against the registry --------------------------------------------------

    def resolve(self) -> None:
        if not self.rows:
            return
        areas: dict[str, Area] = {}
        for batch in chunks({r.code for r in self.rows}):
            for area in Area.objects.filter(code__in=batch).select_related("kind"):
                areas[area.code] = area
        records: dict[int, Community] = {}
        for batch in chunks([a.pk for a in areas.values()]):
            for community in Community.objects.filter(area_id__in=batch):
                records[community.area_id] = community
        kind = AreaKind.objects.get(code="community")
        for r in self.rows:
            area = areas.get(r.code)
            if area is not None and area.kind.code != "community":
                self.error(
                    r.row,
                    "code",
                    _("The code %(code)s is already used by an area that is not a community."),
                    code=r.code,
                )
                continue
            if area is not None and area.parent_id != r.district.pk:
                self.error(
                    r.row,
                    "district_code",
                    _(
                        "The community %(code)s belongs to another district: move it on its "
                        "page, not by import."
                    ),
                    code=r.code,
                )
                continue
            community = records.get(area.pk) if area is not None else None
            if not self._location_ok(r, community):
                continue
            self.touched_paths.add(r.district.path)
            if area is None:
                area = Area(
                    code=r.code,
                    name_th=r.name_th,
                    kind=kind,
                    parent=r.district,
                    path=Area.build_path(r.district, r.code),
                    depth=r.district.depth + 1,
                )
                self.created.append((area, Community(type=r.type, **r.values)))
                continue
            changed_area = area.name_th != r.name_th
            if changed_area:
                area.name_th = r.name_th
                self.area_updates.append(area)
            if community is None:  # an area of kind community without its record yet
                self.created.append((area, Community(area=area, type=r.type, **r.values)))
                continue
            changed = set()
            for name, value in {"type_id": r.type.pk, **r.values}.items():
                if getattr(community, name) != value:
                    setattr(community, name, value)
                    changed.add(name)
            if changed:
                self.record_updates.append((community, changed))
            if changed or changed_area:
                self.updated += 1
            else:
                self.unchanged += 1

    def _location_ok(self, r: Row, community: Community | None) -> bool:
        lat = r.values.get("lat", community.lat if community else None)
        lng = r.values.get("lng", community.lng if community else None)
        if (lat is None) != (lng is None):
            key = "lng" if lat is not None else "lat"
            if key not in self.headers:
                key = "lat" if key == "lng" else "lng"
            self.error(r.row, key, _("Give both latitude and longitude, or neither."))
            return False
        return True

    # --- counts and writing ---------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": self.updated,
            "unchanged": self.unchanged,
        }

    def commit(self, *, change_reason: str) -> None:
        history = {"default_user": self.user, "default_change_reason": change_reason}
        new_areas = [area for area, _community in self.created if area.pk is None]
        if new_areas:
            bulk_create_with_history(new_areas, Area, batch_size=BATCH, **history)
        if self.area_updates:
            for area in self.area_updates:
                area.updated_at = self.now
            bulk_update_with_history(
                self.area_updates, Area, ["name_th", "updated_at"], batch_size=BATCH, **history
            )
        if self.created:
            records = []
            for area, community in self.created:
                community.area = area
                records.append(community)
            bulk_create_with_history(records, Community, batch_size=BATCH, **history)
            # their stored registry counts, with zeros (as `services.community_create`)
            registry_counts_refresh(c.pk for _area, c in self.created)
        if self.record_updates:
            objs = [c for c, _changed in self.record_updates]
            fields = set().union(*(changed for _c, changed in self.record_updates))
            for community in objs:
                community.updated_at = self.now
            bulk_update_with_history(
                objs,
                Community,
                sorted({"type" if f == "type_id" else f for f in fields} | {"updated_at"}),
                batch_size=BATCH,
                **history,
            )
