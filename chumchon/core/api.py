"""Shared pieces of the REST API (django-ninja): rendering, errors, pagination.

- JSON keeps Thai unescaped (ensure_ascii=False).
- Every error answers {"message": str, "errors": [{"field": str, "message": str}]}:
  422 validation, 400 malformed JSON, 401/403/404 as in the access rules.
- Lists take `limit` (1..500, default 100) and `offset` (0..MAX_OFFSET) and answer
  {"items": [...], "count": N}.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from pydantic import Field

from .money import round_half_up

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_OFFSET = 10_000_000

T = TypeVar("T")


class ThaiJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    message: str
    errors: list[ErrorItem] = []


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="1 to 500")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


def paginate(queryset: QuerySet | list, page: PageParams) -> dict[str, Any]:
    count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    items = list(queryset[page.offset : page.offset + page.limit])
    return {"items": items, "count": count}


def decimal_str(value: Decimal | None, places: int = 2) -> str | None:
    """Money, kg and percentages travel as strings with fixed decimals."""
    if value is None:
        return None
    return f"{round_half_up(value, places):.{places}f}"


def error_body(message: str, errors: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"message": message, "errors": errors or []}


def _pydantic_field(error: dict[str, Any]) -> str:
    loc = [
        str(part)
        for part in error.get("loc", ())
        if part not in ("body", "query", "path", "payload", "form")
    ]
    # ninja wraps bodies and query schemas in the parameter's name: drop a leading wrapper
    if len(loc) > 1 and loc[0] in ("params", "data", "page", "filters"):
        loc = loc[1:]
    return ".".join(loc) or "__all__"


def _pydantic_message(error: dict[str, Any]) -> str:
    """pydantic's English messages, in the user's language for the common cases."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("decimal_parsing", "float_parsing", "decimal_type"):
        return _("Enter a number.")
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return _("Enter a date as YYYY-MM-DD (Christian era).")
    if kind == "less_than_equal":
        return _("Must be at most %(limit)s.") % {"limit": ctx.get("le")}
    if kind == "greater_than_equal":
        return _("Must be at least %(limit)s.") % {"limit": ctx.get("ge")}
    if kind == "literal_error":
        return _("Must be one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in ("string_too_long",):
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length")}
    return error.get("msg", "")


def install_error_handlers(api: Any) -> None:
    def validation(request, exc: NinjaValidationError):
        errors = [
            {"field": _pydantic_field(e), "message": _pydantic_message(e)} for e in exc.errors
        ]
        return api.create_response(
            request, error_body(_("The request is not valid."), errors), status=422
        )

    def django_validation(request, exc: DjangoValidationError):
        errors: list[dict[str, str]] = []
        if hasattr(exc, "error_dict"):
            for field, field_errors in exc.message_dict.items():
                errors.extend({"field": field, "message": str(m)} for m in field_errors)
        else:
            errors.extend({"field": "__all__", "message": str(m)} for m in exc.messages)
        return api.create_response(
            request, error_body(_("The request is not valid."), errors), status=422
        )

    def not_found(request, exc):
        return api.create_response(request, error_body(_("Not found.")), status=404)

    def forbidden(request, exc):
        return api.create_response(
            request, error_body(_("You do not have permission to do this.")), status=403
        )

    def unauthenticated(request, exc):
        return api.create_response(request, error_body(_("Authentication required.")), status=401)

    def http_error(request, exc: HttpError):
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = _("The request body is not valid JSON.")
        return api.create_response(request, error_body(message), status=exc.status_code)

    api.add_exception_handler(NinjaValidationError, validation)
    api.add_exception_handler(DjangoValidationError, django_validation)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(HttpError, http_error)


__all__ = [
    "ErrorOut",
    "Page",
    "PageParams",
    "Query",
    "ThaiJSONRenderer",
    "decimal_str",
    "install_error_handlers",
    "paginate",
]


@contextmanager
def fields_named(mapping: dict[str, str] | None = None, default: str | None = None) -> Iterator:
    """Service errors renamed to the API's field names ({"declared_families": ...} ->
    {"families": ...}); an error without a field goes to `default` if given."""
    mapping = mapping or {}
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise DjangoValidationError(
                {mapping.get(k, k): v for k, v in exc.error_dict.items()}
            ) from None
        if default:
            raise DjangoValidationError({default: exc.error_list}) from None
        raise
