"""Errors under /api/ always answer the API's JSON error body, even when they come from Django
itself (an unknown path: 404; a method the path does not take: 405) rather than from ninja."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _

MESSAGES = {
    404: lambda: _("Not found."),
    405: lambda: _("This method is not allowed here."),
    500: lambda: _("Server error: the administrators have been told."),
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path_info.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = MESSAGES.get(response.status_code, lambda: _("The request failed."))()
            body = json.dumps({"message": message, "errors": []}, ensure_ascii=False)
            new = HttpResponse(
                body, status=response.status_code, content_type="application/json; charset=utf-8"
            )
            if "Allow" in response:
                new["Allow"] = response["Allow"]
            return new
        return response
