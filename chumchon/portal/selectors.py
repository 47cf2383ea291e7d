from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chumchon.accounts.scoping import path_filter, reach_of, scope_queryset
from chumchon.core.models import AuditEvent, Job, RevealLog


def audit_events_for(
    user: Any,
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    area: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[AuditEvent]:
    qs = scope_queryset(AuditEvent.objects.all(), user, perm="audit.view", path_field="area_path")
    if not reach_of(user).everything:
        # events not tied to an area (logins, tokens) are for installation-wide auditors only
        qs = qs.exclude(area_path="")
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if area:
        qs = qs.filter(area_path__contains=f"/{area}/")
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs


def reveals_for(user: Any) -> QuerySet[RevealLog]:
    return scope_queryset(
        RevealLog.objects.select_related("actor"), user, perm="audit.view", path_field="area_path"
    )


def jobs_for(user: Any) -> QuerySet[Job]:
    """A user's own jobs, and only while their area is still in the user's reach (a job's
    result may hold the area's data); a system administrator sees every job."""
    reach = reach_of(user)
    if reach.everything:
        return Job.objects.select_related("created_by")
    own = Job.objects.filter(created_by=user).select_related("created_by")
    return own.filter(Q(area_path="") | path_filter(reach.paths, "area_path"))
