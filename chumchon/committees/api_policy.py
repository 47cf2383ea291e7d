"""Public endpoints of the seat policies: the seat calculator and the list of policies. No
authentication (`auth=None`): the rule is public regulation, not personal data."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.core.api import ErrorOut, Page, PageParams, error_body, paginate
from chumchon.core.dates import BE_OFFSET, BE_THRESHOLD

from .models import SeatPolicy
from .services_policy import NoPolicyInForce, parse_count, seats_answer

router = Router(tags=["committees"])

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class PolicyBrief(Schema):
    id: int
    name: str = Field(description="the policy's Thai name (the regulation's title)")
    name_en: str
    valid_from: date
    valid_to: date | None
    counted: str = Field(description="families | houses | registry_households")


class SeatsOut(Schema):
    families: int
    seats: int
    policy: PolicyBrief


class PolicyOut(Schema):
    id: int
    name: str = Field(description="the policy's Thai name")
    name_en: str
    valid_from: date
    valid_to: date | None
    in_force: bool = Field(description="in force today")
    counted: str = Field(description="families | houses | registry_households")
    minimum: int
    threshold: int
    step: int
    maximum: int
    remainder_over: int | None
    thai_only: bool
    voter_min_age: int
    candidate_min_age: int
    voter_days: int
    candidate_days: int
    term_years: int
    note: str


def _invalid(field: str, message: str):
    return Status(
        422, error_body(_("The request is not valid."), [{"field": field, "message": message}])
    )


def parse_on(text: str) -> date:
    """An ISO date (Christian era) for `on`; refused with a ValidationError on `on`."""
    text = text or ""
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            {"on": _("Give the date as YYYY-MM-DD in the Christian era, e.g. 2026-06-01.")}
        ) from None
    if day.year >= BE_THRESHOLD:
        raise ValidationError(
            {
                "on": _(
                    "%(year)d looks like a Buddhist-era year: the API takes Christian-era "
                    "dates (%(year)d BE = %(ce)d CE)."
                )
                % {"year": day.year, "ce": day.year - BE_OFFSET}
            }
        )
    return day


SEATS_DESCRIPTION = """The number of committee seats for a community under the seat policy in
force on `on` (default: today, Bangkok time). Public: no authentication.

- `families`: what the policy counts (declared families under the B.E. 2534 regulation; see
  `policy.counted`), a whole number from 0 to 1,000,000 written in digits only. ASCII digits
  and Thai digits (๐-๙) are accepted, leading zeros too; a sign (`-5`, `+5`), a decimal point
  (`1.5`), an exponent (`1e9`), spaces, an empty value or anything else answers **422** with
  the message on `families`.
- `on`: an ISO date in the Christian era (`2026-06-01`); anything else, or a Buddhist-era
  year (2569-06-01), answers **422** with the message on `on`.
- No policy in force that day (before the first policy, or in a gap between two): **404**
  with a message naming the date.

B.E. 2534 (families): 7 seats up to 159 families, one more for every complete 20 families
above 140, at most 25: 160 -> 8, 500 -> 25."""


@router.get(
    "/committee-seats",
    response={200: SeatsOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="Committee seats for a number of families",
    description=SEATS_DESCRIPTION,
)
def committee_seats(
    request: HttpRequest,
    families: str = Query(..., description="whole number 0..1,000,000, digits only"),
    on: str | None = Query(None, description="ISO date (CE); default today"),
):
    try:
        count = parse_count(families)
    except ValidationError as exc:
        return _invalid("families", exc.message_dict["families"][0])
    day = timezone.localdate()
    if on is not None:
        try:
            day = parse_on(on)
        except ValidationError as exc:
            return _invalid("on", exc.message_dict["on"][0])
    try:
        return Status(200, seats_answer(count, day))
    except NoPolicyInForce as exc:
        return Status(404, error_body(str(exc)))


@router.get(
    "/committee-seat-policies/",
    response={200: Page[PolicyOut], 422: ErrorOut},
    auth=None,
    summary="Committee seat policies",
)
def list_committee_seat_policies(request: HttpRequest, page: Query[PageParams]):
    """Every seat policy, oldest first: its period, seat parameters, eligibility and term
    length. Public: no authentication."""
    today = timezone.localdate()
    result = paginate(SeatPolicy.objects.order_by("valid_from"), page)
    result["items"] = [
        {
            **{f: getattr(p, f) for f in PolicyOut.model_fields if hasattr(p, f)},
            "name": p.name_th,
            "in_force": p.valid_from <= today and (p.valid_to is None or p.valid_to >= today),
        }
        for p in result["items"]
    ]
    return result
