"""Admin: seat policies are data a system administrator maintains (later regulations add
policies without code changes). Every save goes through services_policy (validated, no overlap,
audited): a new policy through `policy_add`; a policy that an election or a term used shows
every field read-only except its end date (`policy_end`); an unused one may still be corrected
(`policy_update`). Policies are never deleted. Elections and terms are shown read-only (they
change only through the services and pages); all three show their history."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from chumchon.core.admin import ReadOnlyAdmin

from .models import CommitteeTerm, Election, SeatPolicy
from .services_policy import POLICY_FIELDS, policy_add, policy_in_use, policy_update


class _DryRun(Exception):
    pass


class SeatPolicyAdminForm(forms.ModelForm):
    """Checks the save with the service itself in a transaction that is rolled back, so the
    admin shows the service's messages (overlap naming the other policy, ...) on the fields."""

    actor = None

    class Meta:
        model = SeatPolicy
        fields = list(POLICY_FIELDS)

    def service_call(self, actor):
        data = {f: self.cleaned_data[f] for f in POLICY_FIELDS if f in self.cleaned_data}
        if self.instance.pk is None:
            return policy_add(actor=actor, **data)
        original = SeatPolicy.objects.get(pk=self.instance.pk)
        changed = {f: v for f, v in data.items() if getattr(original, f) != v}
        return policy_update(actor=actor, policy=original, **changed)

    def _post_clean(self):
        # the model's own full_clean (with its generic constraint messages) is replaced by
        # the service's checks
        if self.errors:
            return
        try:
            with transaction.atomic():
                self.service_call(self.actor)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.error_dict.items():
                    target = name if name in self.fields else None
                    for error in errors:
                        self.add_error(target, error)
            else:
                self.add_error(None, exc)


@admin.register(SeatPolicy)
class SeatPolicyAdmin(SimpleHistoryAdmin):
    form = SeatPolicyAdminForm
    list_display = ("name_th", "valid_from", "valid_to", "counted", "minimum", "maximum")
    search_fields = ("name_th", "name_en")
    fields = POLICY_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is None or not policy_in_use(obj):
            return ()
        return tuple(f for f in POLICY_FIELDS if f != "valid_to")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        saved = form.service_call(request.user)
        obj.pk = saved.pk
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if not k.startswith("_")})

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Election)
class ElectionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("community", "kind", "held_on", "status", "seats", "policy", "document_no")
    list_filter = ("status", "kind")
    search_fields = ("community__area__code", "community__area__name_th", "document_no")
    list_select_related = ("community__area", "policy")


@admin.register(CommitteeTerm)
class CommitteeTermAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("community", "starts_on", "ends_on", "status", "seats", "policy")
    list_filter = ("status",)
    search_fields = ("community__area__code", "community__area__name_th")
    list_select_related = ("community__area", "policy")
