"""Admin pages that write configuration rows record what changed in the audit log, like any
service would (the Django admin is only for system administrators)."""

from __future__ import annotations

from chumchon.core.audit import model_changes, record_event, snapshot


class AuditedAdminMixin:
    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else {}
        super().save_model(request, obj, form, change)
        changes = model_changes(before, snapshot(obj))
        if changes or not change:
            record_event(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
                obj=obj,
                changes=changes,
                area_path="",
            )

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        before = {
            f.name: sorted(str(pk) for pk in getattr(obj, f.name).values_list("pk", flat=True))
            for f in obj._meta.many_to_many
        }
        super().save_related(request, form, formsets, change)
        after = {
            f.name: sorted(str(pk) for pk in getattr(obj, f.name).values_list("pk", flat=True))
            for f in obj._meta.many_to_many
        }
        changes = model_changes(before, after)
        if changes:
            record_event(
                actor=request.user,
                action=f"{obj._meta.model_name}.update",
                obj=obj,
                changes=changes,
                area_path="",
            )

    def delete_model(self, request, obj):
        record_event(
            actor=request.user,
            action=f"{obj._meta.model_name}.delete",
            obj=obj,
            changes=snapshot(obj),
            area_path="",
        )
        super().delete_model(request, obj)
