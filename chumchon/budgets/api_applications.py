"""Budget applications under /api/v1/: create (save and submit in one), list per programme,
read (items and steps), review, approve, return.

Access: staff in reach (`records.view`) and the community's own committee (`community.view_own`)
read; creating needs `budgets.apply` on the community (its committee or the district);
reviewing `records.edit`; approving and returning `records.approve`, never by whoever prepared
or submitted the application (maker-checker, refused with 422 under `actor`). Outside reach:
404. Amounts travel as strings with 2 decimals; dates are ISO (CE). Validation errors answer
422 naming fields such as `items.2.amount` (items numbered from 1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from chumchon.communities.api.common import ERRORS, fields_named, invalid, needs
from chumchon.communities.permissions import community_scope
from chumchon.core.api import Page, PageParams, decimal_str, paginate

from . import services_applications as services
from .domain import ItemIn
from .models import Application, ApplicationItem, ApplicationStep
from .permissions import (
    application_get_for,
    application_scope,
    can_apply,
    can_decide,
    can_review,
    programme_get_for,
)

router = Router(tags=["budgets"])

FIELDS = {"community": "community_code", "allocation": "community_code"}


# --- schemas ----------------------------------------------------------------------------------


class ItemSchema(Schema):
    category: str = Field("", description="a spending category code of the programme")
    description: str = ""
    # Any: the raw JSON value goes to the domain's amount check (a union would read `true` as 1)
    amount: Any = Field(None, description="baht, at most 2 decimals")
    activity: str = ""


class ApplicationIn(Schema):
    community_code: str | None = Field(None, description="required: the community's area code")
    submitted_on: date | None = Field(None, description="required (ISO, CE)")
    items: list[ItemSchema] | None = Field(None, description="required: at least one item")
    title: str = ""
    prepared_for: str | None = Field(None, description="committee | district (default: by role)")


class StepIn(Schema):
    on: date | None = Field(None, description="default today")
    note: str = ""


class ReturnIn(Schema):
    on: date | None = Field(None, description="default today")
    reason: str = Field("", description="required: what to change")


class ItemOut(Schema):
    category: str
    category_name: str
    activity: str
    description: str
    amount: str


class StepOut(Schema):
    kind: str
    on: date
    by: str
    note: str
    amount: str | None


class ApplicationSummaryOut(Schema):
    id: int
    programme_id: int
    community_code: str
    community_name: str
    district_code: str
    title: str
    status: str
    prepared_for: str
    submitted_on: date | None
    allocated_amount: str
    total: str
    approved_amount: str | None


class ApplicationOut(ApplicationSummaryOut):
    prepared_by: str
    reviewed_on: date | None
    reviewed_by: str | None
    review_note: str
    decided_on: date | None
    decided_by: str | None
    decision_note: str
    items: list[ItemOut]
    steps: list[StepOut]


class ApplicationFilters(PageParams):
    status: str | None = Field(
        None, description="draft | submitted | reviewed | returned | approved"
    )
    district: str | None = Field(None, description="a district code, e.g. 1001")


# --- shaping --------------------------------------------------------------------------------------


def _user(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _summary(app: Application) -> dict[str, Any]:
    items = list(app.items.all())
    area = app.community.area
    return {
        "id": app.pk,
        "programme_id": app.programme_id,
        "community_code": area.code,
        "community_name": area.name,
        "district_code": area.parent.code if area.parent_id else "",
        "title": app.title,
        "status": app.status,
        "prepared_for": app.prepared_for,
        "submitted_on": app.submitted_on,
        "allocated_amount": decimal_str(app.allocation.amount),
        "total": decimal_str(sum((i.amount for i in items), Decimal("0"))),
        "approved_amount": decimal_str(app.approved_amount),
    }


def _detail(app: Application) -> dict[str, Any]:
    app = _with_related(Application.objects.filter(pk=app.pk)).get()
    data = _summary(app)
    data.update(
        prepared_by=_user(app.prepared_by),
        reviewed_on=app.reviewed_on,
        reviewed_by=_user(app.reviewed_by),
        review_note=app.review_note,
        decided_on=app.decided_on,
        decided_by=_user(app.decided_by),
        decision_note=app.decision_note,
        items=[
            {
                "category": i.category.code,
                "category_name": i.category.name,
                "activity": i.activity,
                "description": i.description,
                "amount": decimal_str(i.amount),
            }
            for i in app.items.all()
        ],
        steps=[
            {
                "kind": s.kind,
                "on": s.on,
                "by": _user(s.by),
                "note": s.note,
                "amount": decimal_str(s.amount),
            }
            for s in app.steps.all()
        ],
    )
    return data


def _with_related(queryset):
    return queryset.select_related(
        "community__area__parent",
        "allocation",
        "prepared_by",
        "reviewed_by",
        "decided_by",
    ).prefetch_related(
        Prefetch("items", queryset=ApplicationItem.objects.select_related("category")),
        Prefetch("steps", queryset=ApplicationStep.objects.select_related("by")),
    )


def _required(**values: Any) -> None:
    missing = {
        name: [_("This field is required.")] for name, value in values.items() if value is None
    }
    if missing:
        raise ValidationError(missing)


def _application(request: HttpRequest, application_id: int, allowed) -> Application:
    application = application_get_for(request.auth, application_id)
    if not allowed(request.auth, application):
        raise PermissionDenied
    return application


# --- endpoints ------------------------------------------------------------------------------------


@router.post(
    "/budget-programmes/{programme_id}/applications",
    response={201: ApplicationOut, **ERRORS},
    auth=needs("budgets.apply"),
)
def create_application(
    request: HttpRequest, programme_id: int, payload: ApplicationIn | None = None
):
    """A community's application, saved and submitted in one: `community_code`,
    `submitted_on`, `items` [{category, description, amount, activity?}], `title?`. Refused
    (422): no budget for the community, not transferred or dropped, a second application, a
    date before the transfer or outside the fiscal year, and any item problem (a bad amount,
    a refused item, a category above its share, a total above the budget)."""
    payload = payload or ApplicationIn()
    user = request.auth
    programme = programme_get_for(user, programme_id)
    _required(
        community_code=payload.community_code,
        submitted_on=payload.submitted_on,
        items=payload.items,
    )
    code = payload.community_code.strip()
    community = community_scope(user).select_related("area").filter(area__code=code).first()
    if community is None:
        raise invalid("community_code", _("No community with code “%(code)s”.") % {"code": code})
    if not can_apply(user, community):
        raise PermissionDenied
    items = [ItemIn(i.category, i.description, i.amount, i.activity) for i in payload.items]
    with fields_named(FIELDS):
        application = services.application_create(
            actor=user,
            programme=programme,
            community=community,
            submitted_on=payload.submitted_on,
            items=items,
            title=payload.title,
            prepared_for=payload.prepared_for or None,
        )
    return Status(201, _detail(application))


@router.get(
    "/budget-programmes/{programme_id}/applications",
    response={200: Page[ApplicationSummaryOut], **ERRORS},
)
def list_applications(request: HttpRequest, programme_id: int, filters: Query[ApplicationFilters]):
    """The programme's applications in the caller's reach, by community code; filters
    `status` and `district` (code)."""
    user = request.auth
    programme = programme_get_for(user, programme_id)
    queryset = application_scope(user).filter(programme=programme)
    if filters.status:
        if filters.status not in Application.Status.values:
            raise invalid(
                "status",
                _("Unknown status “%(value)s”: use %(choices)s.")
                % {"value": filters.status, "choices": ", ".join(Application.Status.values)},
            )
        queryset = queryset.filter(status=filters.status)
    if filters.district:
        queryset = queryset.filter(community__area__parent__code=filters.district.strip())
    queryset = _with_related(queryset).order_by("community__area__code", "pk")
    page = paginate(queryset, filters)
    page["items"] = [_summary(a) for a in page["items"]]
    return page


@router.get("/applications/{application_id}", response={200: ApplicationOut, **ERRORS})
def get_application(request: HttpRequest, application_id: int):
    """One application with its items and steps (who did what on which day)."""
    application = application_get_for(request.auth, application_id)
    return _detail(application)


@router.post("/applications/{application_id}/review", response={200: ApplicationOut, **ERRORS})
def review_application(request: HttpRequest, application_id: int, payload: StepIn | None = None):
    """The district officer's review of a submitted application (`on` default today, `note`)."""
    payload = payload or StepIn()
    application = _application(request, application_id, can_review)
    services.application_review(
        actor=request.auth,
        application=application,
        on=payload.on or timezone.localdate(),
        note=payload.note,
    )
    return _detail(application)


@router.post("/applications/{application_id}/approve", response={200: ApplicationOut, **ERRORS})
def approve_application(request: HttpRequest, application_id: int, payload: StepIn | None = None):
    """The division head approves a submitted or reviewed application for its items' total
    (`on` default today, `note`); not whoever prepared or submitted it."""
    payload = payload or StepIn()
    application = _application(request, application_id, can_decide)
    services.application_approve(
        actor=request.auth,
        application=application,
        on=payload.on or timezone.localdate(),
        note=payload.note,
    )
    return _detail(application)


@router.post("/applications/{application_id}/return", response={200: ApplicationOut, **ERRORS})
def return_application(request: HttpRequest, application_id: int, payload: ReturnIn | None = None):
    """The division head returns an application for changes (`reason` required, `on` default
    today); the community edits it and submits it again."""
    payload = payload or ReturnIn()
    application = _application(request, application_id, can_decide)
    services.application_return(
        actor=request.auth,
        application=application,
        on=payload.on or timezone.localdate(),
        reason=payload.reason,
    )
    return _detail(application)
