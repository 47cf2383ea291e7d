"""Background work over the area tree."""

from __future__ import annotations

from django.utils.translation import ngettext
from django_tasks import task

from chumchon.core.excel import write_xlsx
from chumchon.core.jobs import job_fail_safely, job_progress, job_running, job_succeed

from .models import Area


@task()
def export_areas(job_id: int) -> None:
    """Export an area's subtree to Excel, reporting progress every 100 rows."""
    from chumchon.core.models import Job

    job = Job.objects.get(pk=job_id)
    try:
        root = Area.objects.get(code=job.params["code"])
        areas = Area.objects.filter(path__startswith=root.path).select_related("kind", "parent")
        total = areas.count()
        job = job_running(job_id, total=total)
        rows = []
        for index, area in enumerate(areas.iterator(), start=1):
            rows.append(
                [
                    area.code,
                    area.name_th,
                    area.name_en,
                    area.kind.code,
                    area.parent.code if area.parent_id else "",
                ]
            )
            if index % 100 == 0:
                job_progress(job, done=index)
        job_progress(job, done=total)
        content = write_xlsx(
            [("areas", ["code", "name_th", "name_en", "kind", "parent_code"], rows)]
        )
        job_succeed(
            job,
            content=content,
            filename=f"areas-{root.code}.xlsx",
            message=ngettext("%(n)d area exported", "%(n)d areas exported", total) % {"n": total},
        )
    except Exception as exc:
        job_fail_safely(job, exc)
        raise
