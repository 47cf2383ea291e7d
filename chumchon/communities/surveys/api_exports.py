"""REST endpoint of the survey round export, on the registry router:
`GET /api/v1/survey-rounds/{round_id}/export?format=xlsx|csv` answers the file (the same as
the page `surveys/rounds/<pk>/export/`: the import's columns, IDs in full only with
`personal.export`, logged). Another district's round: 404; no `surveys.record` or
`personal.view_flags` in the round's district: 403; an unknown format: 422."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Query

from ..api.common import ERRORS, router
from .exports import survey_round_export
from .permissions import survey_round_get_for


@router.get(
    "/survey-rounds/{round_id}/export",
    response=ERRORS,
    openapi_extra={
        "responses": {
            200: {
                "description": "The round's surveys, one row per member (xlsx or CSV).",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "text/csv": {},
                },
            }
        }
    },
)
def export_survey_round(
    request: HttpRequest,
    round_id: int,
    format: Query[Literal["xlsx", "csv"]] = "xlsx",  # noqa: A002 (the query parameter's name)
):
    """A survey round's surveys as a file in the import's columns (re-importable into another
    round), one row per member; national IDs in full only with `personal.export`."""
    survey_round = survey_round_get_for(request.auth, round_id)
    return survey_round_export(actor=request.auth, survey_round=survey_round, fmt=format)
