"""What every registry endpoint shares: the router, permission gates, error shaping, parsing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from chumchon.accounts.api_auth import TokenOrSession
from chumchon.accounts.scoping import has_perm_anywhere
from chumchon.core.api import (
    ErrorOut,
    error_body,
    fields_named,  # noqa: F401  (re-exported: the registry API uses it)
)
from chumchon.core.national_id import validate_national_id
from chumchon.organizations.models import Area

from .. import domain
from ..models import CommunityType
from ..permissions import can_edit_people

router = Router(tags=["communities"])

#: Answers every authenticated registry endpoint may give besides its success.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class _PermissionGate(TokenOrSession):
    """The usual authentication, then 403 unless the user holds `perm` somewhere: so that a
    user who may never create such a record is refused before the body is validated."""

    def __init__(self, perm: str):
        super().__init__()
        self.perm = perm

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        if user is not None and not has_perm_anywhere(user, self.perm):
            raise PermissionDenied
        return user


# The OpenAPI document names security schemes by class: this is the same scheme.
_PermissionGate.__name__ = TokenOrSession.__name__


def needs(perm: str) -> list[Any]:
    return [_PermissionGate(perm)]


def invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def forbidden_field(field: str, message: str) -> tuple[int, dict[str, Any]]:
    """A 403 that says which value the user may not use (the default 403 names nothing)."""
    return 403, error_body(
        _("You do not have permission to do this."), [{"field": field, "message": message}]
    )


def check_national_id(value: str | None, field: str = "national_id") -> None:
    text = domain.clean_text(value)
    if text:
        with fields_named(default=field):
            validate_national_id(text)


def parse(field: str, parser: Callable[[Any], Any], value: Any, message: str) -> Any:
    try:
        return parser(value)
    except ValueError:
        raise invalid(field, message % {"value": domain.clean_text(value)}) from None


def parse_sex(value: Any, field: str = "sex") -> str:
    return parse(field, domain.parse_sex, value, _("“%(value)s” is not a sex: use M or F."))


def parse_relation(value: Any, field: str = "relation") -> str:
    return parse(
        field,
        domain.parse_relation,
        value,
        _(
            "“%(value)s” is not a relation to the head: use a code (head, spouse, child, ...) "
            "or a Thai word such as หัวหน้าครัวเรือน or บุตร."
        ),
    )


def community_type(value: str, field: str = "type") -> CommunityType:
    text = domain.clean_text(value)
    found = CommunityType.objects.filter(Q(code=text) | Q(name_th=text)).first()
    if found is None:
        codes = ", ".join(CommunityType.objects.values_list("code", flat=True))
        raise invalid(
            field,
            _("Unknown community type “%(value)s”: use a code (%(codes)s) or its Thai label.")
            % {"value": text, "codes": codes},
        )
    return found


def area_for_people(user: Any, code: str | None, field: str = "area_code") -> Area | tuple:
    """A district (or community) area where the user may register people; area codes are
    public reference data, so an area outside the user's editing reach is a 403 naming it."""
    text = domain.clean_text(code)
    if not text:
        raise invalid(field, _("Give the district (or community) code."))
    area = Area.objects.select_related("kind").filter(code=text).first()
    if area is None or area.kind.code not in ("district", "community"):
        raise invalid(field, _("Unknown district or community “%(code)s”.") % {"code": text})
    if not can_edit_people(user, area):
        return forbidden_field(
            field, _("You cannot register people in %(area)s.") % {"area": area.name}
        )
    return area


def given(payload: Any) -> dict[str, Any]:
    """The fields a PATCH actually sent (null included)."""
    return {name: getattr(payload, name) for name in payload.model_fields_set}
