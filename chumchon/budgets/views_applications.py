"""Application pages: the allocation page (a community's budget in a programme: amount, transfer,
application with items by activity, category totals against their caps, steps, actions and the
payments block), the item form, the submit/review/approve/return actions, attachments and the
work queue.

Thin views: scope through permissions.py (404 outside reach), check the permission (403), bind
a form, call one service of services_applications.py, redirect with a message. A service's
ValidationError lands on the form (item problems on their row) and the page re-renders.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from chumchon.accounts.scoping import has_perm, has_perm_anywhere, scope_queryset
from chumchon.communities.views.common import deny_unless
from chumchon.core.attachments import attachment_add, attachments_of
from chumchon.core.forms import AttachmentForm

from . import domain, views_payments
from . import services_applications as services
from .forms_applications import (
    ApplicationForm,
    ApproveForm,
    ItemFormSet,
    ReturnForm,
    ReviewForm,
    SubmitForm,
    apply_application_errors,
)
from .models import Allocation, Application, ApplicationItem, ApplicationStep
from .permissions import (
    PATH,
    allocation_get_for,
    allocation_scope,
    application_get_for,
    application_scope,
    can_apply,
    can_decide,
    can_review,
    can_view_community_budget,
)

EDITABLE = services.EDITABLE
UNDECIDED = services.UNDECIDED
QUEUE_LIMIT = 200


def crumbs(allocation: Allocation | None = None, *, last: str | None = None) -> list[dict]:
    trail: list[dict] = [
        {"label": _("Home"), "url": reverse("home")},
        {"label": _("Budget work queue"), "url": reverse("budget-queue")},
    ]
    if allocation is not None:
        trail.append(
            {
                "label": f"{allocation.programme.name} · {allocation.community.area.name}",
                "url": reverse("budget-allocation-detail", args=[allocation.pk]),
            }
        )
    if last:
        trail.append({"label": last})
    return trail


def may_attach(user: Any, application: Application) -> bool:
    """Documents (the signed application, quotations, minutes) come from the community's
    committee or the district."""
    return can_apply(user, application.community) or has_perm(user, "records.edit", application)


def category_rows(application: Application, items: list[ApplicationItem]) -> list[dict]:
    """Each category of the programme with the application's total and its cap."""
    allocated = application.allocation.amount
    totals: dict[int, Decimal] = {}
    for item in items:
        totals[item.category_id] = totals.get(item.category_id, Decimal("0")) + item.amount
    rows = []
    for category in application.programme.categories.all():
        total = totals.get(category.pk, Decimal("0"))
        share = category.max_share
        rows.append(
            {
                "category": category,
                "total": total,
                "cap": domain.cap_of(allocated, share) if share is not None else None,
                "over": domain.over_cap(total, allocated, share),
            }
        )
    return rows


def by_activity(items: list[ApplicationItem]) -> list[dict]:
    groups: OrderedDict[str, list[ApplicationItem]] = OrderedDict()
    for item in items:
        groups.setdefault(item.activity, []).append(item)
    return [
        {"activity": name, "items": rows, "total": sum((i.amount for i in rows), Decimal("0"))}
        for name, rows in groups.items()
    ]


# --- the allocation page ---------------------------------------------------------------------------


class AllocationPageMixin(LoginRequiredMixin):
    template_name = "budgets/allocation_detail.html"

    def get_allocation(self) -> Allocation:
        if not hasattr(self, "_allocation"):
            allocation = allocation_get_for(self.request.user, self.kwargs["pk"])
            deny_unless(can_view_community_budget(self.request.user, allocation))
            self._allocation = allocation
        return self._allocation

    def get_application(self) -> Application | None:
        allocation = self.get_allocation()
        return (
            Application.objects.filter(allocation=allocation)
            .select_related("prepared_by", "reviewed_by", "decided_by", "allocation", "programme")
            .prefetch_related(
                Prefetch("items", queryset=ApplicationItem.objects.select_related("category")),
                Prefetch("steps", queryset=ApplicationStep.objects.select_related("by")),
                "programme__categories",
            )
            .first()
        )

    def page_context(self, **bound: Any) -> dict[str, Any]:
        user = self.request.user
        allocation = self.get_allocation()
        application = self.get_application()
        context: dict[str, Any] = {
            "allocation": allocation,
            "programme": allocation.programme,
            "community": allocation.community,
            "application": application,
            "can_apply": can_apply(user, allocation.community),
            "breadcrumbs": crumbs(allocation)[:-1]
            + [{"label": f"{allocation.programme.name} · {allocation.community.area.name}"}],
            "general_errors": bound.pop("general_errors", []),
        }
        if application is None:
            return context
        items = list(application.items.all())
        steps = list(application.steps.all())
        status = application.status
        maker = user.pk in services.makers(application)
        context.update(
            items=items,
            groups=by_activity(items),
            total=sum((i.amount for i in items), Decimal("0")),
            categories=category_rows(application, items),
            steps=steps,
            editable=status in EDITABLE,
            maker=maker,
        )
        if context["can_apply"] and status in EDITABLE and items:
            context["submit_form"] = bound.get("submit_form") or SubmitForm(
                prefix="submit", initial={"submitted_on": ""}
            )
        if can_review(user, application) and status == Application.Status.SUBMITTED:
            context["review_form"] = bound.get("review_form") or ReviewForm(prefix="review")
        if can_decide(user, application) and status in UNDECIDED:
            if maker:
                context["decide_blocked"] = True
            else:
                context["approve_form"] = bound.get("approve_form") or ApproveForm(prefix="approve")
                context["return_form"] = bound.get("return_form") or ReturnForm(prefix="return")
        can_attach = may_attach(user, application)
        context["can_attach"] = can_attach
        if can_view_community_budget(user, application):
            context["attachments"] = list(attachments_of(application))
            context["attachment_form"] = AttachmentForm() if can_attach else None
        if status == Application.Status.APPROVED:
            context["payments"] = mark_safe(  # noqa: S308 (HTML rendered by the payments helper)
                views_payments.payments_block(self.request, application) or ""
            )
        for key, form in bound.items():
            context.setdefault(key, form)
        return context

    def render_page(self, status: int = 200, **bound: Any) -> HttpResponse:
        return render(self.request, self.template_name, self.page_context(**bound), status=status)


class AllocationDetailView(AllocationPageMixin, View):
    def get(self, request, *args, **kwargs):
        self.get_allocation()
        return self.render_page()


# --- the item form -------------------------------------------------------------------------------


class ApplicationEditView(LoginRequiredMixin, View):
    """Create or edit the draft (or returned) application of an allocation: title and items."""

    template_name = "budgets/application_form.html"

    def prepare(self) -> HttpResponse | None:
        user = self.request.user
        self.allocation = allocation_get_for(user, self.kwargs["pk"])
        deny_unless(can_apply(user, self.allocation.community))
        self.application = (
            Application.objects.filter(allocation=self.allocation)
            .prefetch_related(
                Prefetch("items", queryset=ApplicationItem.objects.select_related("category"))
            )
            .first()
        )
        if self.application is not None and self.application.status not in EDITABLE:
            messages.warning(
                self.request,
                _("The application is %(status)s: only a draft or a returned one can be edited.")
                % {"status": self.application.get_status_display()},
            )
            return redirect("budget-allocation-detail", pk=self.allocation.pk)
        self.categories = [
            (c.code, self.category_label(c)) for c in self.allocation.programme.categories.all()
        ]
        return None

    @staticmethod
    def category_label(category) -> str:
        if category.max_share is not None:
            return _("%(name)s (at most %(share)s %%)") % {
                "name": category.name,
                "share": format(category.max_share.normalize(), "f"),
            }
        return category.name

    def get(self, request, *args, **kwargs):
        refused = self.prepare()
        if refused:
            return refused
        app = self.application
        if app is not None:
            initial = {"title": app.title, "prepared_for": app.prepared_for}
            rows = [
                {
                    "activity": i.activity,
                    "category": i.category.code,
                    "description": i.description,
                    "amount": f"{i.amount:.2f}",
                }
                for i in app.items.all()
            ]
        else:
            initial = {
                "prepared_for": services.default_prepared_for(
                    request.user, self.allocation.community
                )
            }
            rows = []
        rows.append({})
        form = ApplicationForm(initial=initial)
        formset = ItemFormSet(prefix="items", initial=rows, categories=self.categories)
        formset.extra = 0
        return self.render(form, formset)

    def post(self, request, *args, **kwargs):
        refused = self.prepare()
        if refused:
            return refused
        data = request.POST.copy()
        adding = data.get("action") == "add_row"
        if adding:  # without JavaScript: the page comes back with one more row, nothing saved
            total = data.get("items-TOTAL_FORMS", "0")
            data["items-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
        form = ApplicationForm(data)
        formset = ItemFormSet(data, prefix="items", categories=self.categories)
        general: list[str] = []
        shape_ok = form.is_valid() & formset.is_valid()
        if adding or not shape_ok:
            return self.render(form, formset, general)
        rows = formset.item_rows()
        try:
            services.application_save(
                actor=request.user,
                allocation=self.allocation,
                items=[item for _i, item in rows],
                title=form.cleaned_data["title"],
                prepared_for=form.cleaned_data["prepared_for"] or None,
            )
        except ValidationError as exc:
            general = apply_application_errors(exc, form=form, formset=formset, rows=rows)
            return self.render(form, formset, general)
        messages.success(
            request,
            _("The application was saved as a draft. Submit it when it is complete."),
        )
        return redirect("budget-allocation-detail", pk=self.allocation.pk)

    def render(self, form, formset, general: list[str] | None = None) -> HttpResponse:
        allocation = self.allocation
        total = Decimal("0")
        for item_form in formset.forms:  # what was typed, read by the domain's amount rule
            amount, _problem = domain.amount_problem(item_form["amount"].value(), label="")
            total += amount or Decimal("0")
        return render(
            self.request,
            self.template_name,
            {
                "allocation": allocation,
                "programme": allocation.programme,
                "community": allocation.community,
                "application": self.application,
                "form": form,
                "formset": formset,
                "general_errors": general or [],
                "non_form_errors": formset.non_form_errors(),
                "running_total": total,
                "refused": list(allocation.programme.refused.all()),
                "breadcrumbs": crumbs(allocation, last=_("Items of the application")),
            },
        )


# --- actions -------------------------------------------------------------------------------------


class ApplicationActionView(AllocationPageMixin, View):
    """POST only: one form of the allocation page, one service call."""

    http_method_names = ["post"]
    form_key = ""
    form_class: Any = None

    def get_allocation(self) -> Allocation:
        if not hasattr(self, "_allocation"):
            self._app = application_get_for(self.request.user, self.kwargs["pk"])
            self._allocation = allocation_get_for(self.request.user, self._app.allocation_id)
        return self._allocation

    def allowed(self, application: Application) -> bool:
        raise NotImplementedError

    def act(self, application: Application, data: dict) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        allocation = self.get_allocation()
        application = self._app
        deny_unless(self.allowed(application))
        form = self.form_class(request.POST, prefix=self.form_key.removesuffix("_form"))
        if form.is_valid():
            try:
                message = self.act(application, form.cleaned_data)
            except ValidationError as exc:
                general = apply_application_errors(exc, form=form)
                return self.render_page(general_errors=general, **{self.form_key: form})
            messages.success(request, message)
            return redirect("budget-allocation-detail", pk=allocation.pk)
        return self.render_page(**{self.form_key: form})


class ApplicationSubmitView(ApplicationActionView):
    form_key = "submit_form"
    form_class = SubmitForm

    def allowed(self, application):
        return can_apply(self.request.user, application.community)

    def act(self, application, data):
        services.application_submit(
            actor=self.request.user, application=application, submitted_on=data["submitted_on"]
        )
        return _("The application was submitted; the district officer reviews it next.")


class ApplicationReviewView(ApplicationActionView):
    form_key = "review_form"
    form_class = ReviewForm

    def allowed(self, application):
        return can_review(self.request.user, application)

    def act(self, application, data):
        services.application_review(
            actor=self.request.user,
            application=application,
            on=data["on"] or timezone.localdate(),
            note=data["note"],
        )
        return _("The application was reviewed; the division head decides next.")


class ApplicationApproveView(ApplicationActionView):
    form_key = "approve_form"
    form_class = ApproveForm

    def allowed(self, application):
        return can_decide(self.request.user, application)

    def act(self, application, data):
        app = services.application_approve(
            actor=self.request.user,
            application=application,
            on=data["on"] or timezone.localdate(),
            note=data["note"],
        )
        from chumchon.core.money import format_baht

        return _("The application was approved for %(amount)s.") % {
            "amount": format_baht(app.approved_amount)
        }


class ApplicationReturnView(ApplicationActionView):
    form_key = "return_form"
    form_class = ReturnForm

    def allowed(self, application):
        return can_decide(self.request.user, application)

    def act(self, application, data):
        services.application_return(
            actor=self.request.user,
            application=application,
            on=data["on"] or timezone.localdate(),
            reason=data["reason"],
        )
        return _("The application was returned to the community for changes.")


class ApplicationAttachView(LoginRequiredMixin, View):
    """Attach a document (the signed application, quotations, minutes) to the application."""

    http_method_names = ["post"]

    def post(self, request, pk):
        application = application_get_for(request.user, pk)
        deny_unless(may_attach(request.user, application))
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                attachment_add(
                    actor=request.user,
                    owner=application,
                    uploaded=form.cleaned_data["file"],
                    description=form.cleaned_data["description"],
                )
                messages.success(request, _("The file was attached."))
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        return redirect(
            reverse("budget-allocation-detail", args=[application.allocation_id]) + "#files"
        )


# --- the work queue ------------------------------------------------------------------------------


class QueueView(LoginRequiredMixin, View):
    """What waits for the user in their reach: applications to review (officer), to decide
    (head; those they prepared shown apart with the reason), drafts and returned ones of their
    communities; a committee member sees their community's budgets."""

    template_name = "budgets/queue.html"

    def get(self, request):
        user = request.user
        base = application_scope(user).select_related(
            "programme", "community__area__parent__kind", "allocation", "prepared_by"
        )
        context: dict[str, Any] = {
            "breadcrumbs": [
                {"label": _("Home"), "url": reverse("home")},
                {"label": _("Budget work queue")},
            ],
            "limit": QUEUE_LIMIT,
        }
        if has_perm_anywhere(user, "records.edit"):
            context["to_review"] = list(
                scope_queryset(
                    base.filter(status=Application.Status.SUBMITTED),
                    user,
                    perm="records.edit",
                    path_field=PATH,
                ).order_by("submitted_on", "pk")[:QUEUE_LIMIT]
            )
        if has_perm_anywhere(user, "records.approve"):
            submitted_by_me = ApplicationStep.objects.filter(
                application=OuterRef("pk"), kind=ApplicationStep.Kind.SUBMITTED, by=user
            )
            deciding = (
                scope_queryset(
                    base.filter(status__in=UNDECIDED),
                    user,
                    perm="records.approve",
                    path_field=PATH,
                )
                .annotate(mine=Q(prepared_by=user) | Exists(submitted_by_me))
                .order_by("submitted_on", "pk")[:QUEUE_LIMIT]
            )
            rows = list(deciding)
            context["to_decide"] = [a for a in rows if not a.mine]
            context["not_mine_to_decide"] = [a for a in rows if a.mine]
        if has_perm_anywhere(user, "budgets.apply"):
            context["drafts"] = list(
                scope_queryset(
                    base.filter(status__in=EDITABLE),
                    user,
                    perm="budgets.apply",
                    path_field=PATH,
                ).order_by("status", "community__area__code")[:QUEUE_LIMIT]
            )
        if not has_perm_anywhere(user, "records.view"):
            context["my_allocations"] = list(
                allocation_scope(user)
                .select_related("application")
                .order_by("-programme__fiscal_year", "programme__name_th", "community__area__code")[
                    :QUEUE_LIMIT
                ]
            )
        return render(request, self.template_name, context)
