"""API authentication: a personal token (`Authorization: Bearer <token>`) or the session.

Tokens are not subject to the second factor. A session is accepted only when it has passed the
second factor where one is required, and unsafe methods over a session need the CSRF token.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from .middleware import otp_pending
from .services import api_token_user


class TokenOrSession(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _sep, raw = header.partition(" ")
            if scheme.lower() != "bearer":
                return None
            user = api_token_user(raw.strip())
            if user is not None:
                request.user = user
                request.api_token_auth = True
            return user
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or otp_pending(request):
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            error = check_csrf(request)
            if error:
                return None
        return user


class OptionalAuth(TokenOrSession):
    """Public endpoints: the user if any, anonymous otherwise."""

    def __call__(self, request: HttpRequest) -> Any:
        user = super().__call__(request)
        return user if user is not None else True


token_or_session = TokenOrSession()
