"""Community applications for their allocation: prepare (draft), submit, review, approve or
return; a returned application is edited and submitted again.

Every function checks everything first and raises ONE ValidationError naming every problem
({field: [messages]}), so nothing is half-saved. Items are checked by domain.check_items
against the programme's categories (with their shares of the allocated amount) and refused
items. Maker-checker is a rule here: whoever prepared or submitted an application neither
approves nor returns it. Every step writes an ApplicationStep (the history) and an audit event.
Permission checks (who may prepare, review, decide) live in the views and the API.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chumchon.accounts.scoping import has_perm
from chumchon.core.audit import record_event
from chumchon.core.dates import fiscal_year_bounds, format_date
from chumchon.core.models import AuditEvent

from . import domain
from .models import (
    Allocation,
    Application,
    ApplicationItem,
    ApplicationStep,
    Programme,
)

Problems = domain.Problems
EDITABLE = (Application.Status.DRAFT, Application.Status.RETURNED)
UNDECIDED = (Application.Status.SUBMITTED, Application.Status.REVIEWED)


# --- rules ------------------------------------------------------------------------------------


def spending_rules(
    programme: Programme,
) -> tuple[dict[str, domain.CategoryRule], list[domain.RefusedRule]]:
    """The programme's categories {code: rule} and refused items, for domain.check_items."""
    categories = {
        c.code: domain.CategoryRule(c.code, c.name, c.max_share) for c in programme.categories.all()
    }
    refused = [domain.RefusedRule(r.term, r.reason) for r in programme.refused.all()]
    return categories, refused


def default_prepared_for(actor: Any, community: Any) -> str:
    """Staff prepare for the community (district); a committee member as its committee."""
    if has_perm(actor, "records.view", community):
        return Application.PreparedFor.DISTRICT
    return Application.PreparedFor.COMMITTEE


def _community_name(community: Any) -> str:
    return f"{community.area.code} {community.area.name}"


def _programme_problems(programme: Programme, problems: Problems, field: str) -> None:
    if programme.status == Programme.Status.CLOSED:
        domain.add(
            problems,
            field,
            _("The programme “%(programme)s” was closed on %(date)s: it takes no more changes.")
            % {"programme": programme.name, "date": format_date(programme.closed_on)},
        )
    elif programme.status != Programme.Status.OPEN:
        domain.add(
            problems,
            field,
            _("The programme “%(programme)s” has not allocated its budget yet.")
            % {"programme": programme.name},
        )


def _allocation_problems(allocation: Allocation, problems: Problems, field: str) -> None:
    name = _community_name(allocation.community)
    if allocation.status == Allocation.Status.DROPPED:
        domain.add(
            problems,
            field,
            _("The budget of %(community)s was dropped on %(date)s (%(reason)s): it cannot apply.")
            % {
                "community": name,
                "date": format_date(allocation.dropped_on),
                "reason": allocation.drop_reason or "-",
            },
        )
    elif allocation.status != Allocation.Status.TRANSFERRED:
        domain.add(
            problems,
            field,
            _(
                "The budget of %(community)s has not been transferred to the district yet: "
                "it can apply once the money is transferred."
            )
            % {"community": name},
        )


def _check_items(
    allocation: Allocation, items: list[domain.ItemIn], problems: Problems
) -> list[domain.CheckedItem]:
    categories, refused = spending_rules(allocation.programme)
    checked, found = domain.check_items(
        items, categories=categories, refused=refused, allocated=allocation.amount
    )
    for field, messages in found.items():
        for message in messages:
            domain.add(problems, field, message)
    return checked


def _date_problems(
    application: Application, allocation: Allocation, submitted_on: date | None, problems: Problems
) -> None:
    if submitted_on is None:
        domain.add(problems, "submitted_on", _("Enter the date the application was submitted."))
        return
    programme = allocation.programme
    transfer = allocation.transfer
    if transfer is not None and submitted_on < transfer.transferred_on:
        domain.add(
            problems,
            "submitted_on",
            _(
                "The submission date %(date)s is before the money was transferred to the "
                "district on %(transferred)s."
            )
            % {
                "date": format_date(submitted_on),
                "transferred": format_date(transfer.transferred_on),
            },
        )
    starts, ends = fiscal_year_bounds(programme.fiscal_year)
    if not starts <= submitted_on <= ends:
        domain.add(
            problems,
            "submitted_on",
            _(
                "The submission date %(date)s is outside fiscal year %(year)s "
                "(%(starts)s to %(ends)s)."
            )
            % {
                "date": format_date(submitted_on),
                "year": programme.fiscal_year,
                "starts": format_date(starts),
                "ends": format_date(ends),
            },
        )
    if application.pk and application.decided_on and submitted_on < application.decided_on:
        domain.add(
            problems,
            "submitted_on",
            _("The submission date %(date)s is before the application was returned (%(returned)s).")
            % {
                "date": format_date(submitted_on),
                "returned": format_date(application.decided_on),
            },
        )


def _existing_problem(application: Application) -> str:
    return _(
        "%(community)s already has an application in this programme (%(status)s): a community "
        "applies once per programme; edit that one instead."
    ) % {
        "community": _community_name(application.community),
        "status": application.get_status_display(),
    }


def _prepared_for_problems(prepared_for: str | None, problems: Problems) -> None:
    if prepared_for and prepared_for not in Application.PreparedFor.values:
        domain.add(
            problems,
            "prepared_for",
            _("“%(value)s” is not a way of preparing an application (%(choices)s).")
            % {"value": prepared_for, "choices": ", ".join(Application.PreparedFor.values)},
        )


# The row locks select the locked row alone, by its key (related rows are read afterwards, by
# theirs): a FOR UPDATE joined to the registry can get a nested-loop plan over every community
# while the planner's statistics lag behind a bulk load (seen on PostgreSQL: minutes per lock).


def _lock_allocation(allocation: Allocation) -> Allocation:
    return Allocation.objects.select_for_update().get(pk=allocation.pk)


def _lock_application(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _current(allocation: Allocation) -> Application | None:
    return Application.objects.select_for_update().filter(allocation_id=allocation.pk).first()


def _write(
    *,
    actor: Any,
    allocation: Allocation,
    application: Application | None,
    checked: list[domain.CheckedItem],
    title: str,
    prepared_for: str | None,
) -> Application:
    programme = allocation.programme
    created = application is None
    if created:
        application = Application(
            programme=programme,
            allocation=allocation,
            community=allocation.community,
            status=Application.Status.DRAFT,
            prepared_for=prepared_for or default_prepared_for(actor, allocation.community),
        )
    elif prepared_for:
        application.prepared_for = prepared_for
    application.title = (title or "").strip()[:300]
    application.prepared_by = actor
    application.full_clean()
    application.save()
    categories = {c.code: c for c in programme.categories.all()}
    before = application.items.count()
    application.items.all().delete()
    rows = [
        ApplicationItem(
            application=application,
            activity=item.activity[:300],
            category=categories[item.category],
            description=item.description[:500],
            amount=item.amount,
            sort_order=n,
        )
        for n, item in enumerate(checked)
    ]
    ApplicationItem.objects.bulk_create(rows)
    total = sum((i.amount for i in checked), Decimal("0"))
    record_event(
        actor=actor,
        action="budgets.application_create" if created else "budgets.application_edit",
        obj=application,
        changes={
            "items": [before if not created else None, len(rows)],
            "total": str(total),
            "title": application.title,
        },
        area_path=allocation.community.area.path,
        object_label=f"{programme.name} · {_community_name(allocation.community)}",
    )
    return application


def _submit(*, actor: Any, application: Application, submitted_on: date) -> Application:
    old = application.status
    total = sum((i.amount for i in application.items.all()), Decimal("0"))
    application.status = Application.Status.SUBMITTED
    application.submitted_on = submitted_on
    application.reviewed_by = None
    application.reviewed_on = None
    application.review_note = ""
    application.decided_by = None
    application.decided_on = None
    application.decision_note = ""
    application.save()
    ApplicationStep.objects.create(
        application=application,
        kind=ApplicationStep.Kind.SUBMITTED,
        on=submitted_on,
        by=actor,
        amount=total,
    )
    record_event(
        actor=actor,
        action="budgets.application_submit",
        obj=application,
        changes={"status": [old, application.status], "submitted_on": str(submitted_on)},
        area_path=application.community.area.path,
    )
    return application


def _raise(problems: Problems) -> None:
    if problems:
        raise ValidationError(problems)


# --- prepare and submit -------------------------------------------------------------------------


@transaction.atomic
def application_save(
    *,
    actor: Any,
    allocation: Allocation,
    items: list[domain.ItemIn],
    title: str = "",
    prepared_for: str | None = None,
) -> Application:
    """A new draft for the allocation, or the edit of its draft or returned application (its
    items are replaced). Refused: programme not open, allocation not transferred or dropped, an
    application already past the draft (not returned), any item problem."""
    allocation = _lock_allocation(allocation)
    problems: Problems = {}
    _programme_problems(allocation.programme, problems, "programme")
    _allocation_problems(allocation, problems, "allocation")
    application = _current(allocation)
    if application is not None and application.status not in EDITABLE:
        domain.add(
            problems,
            "application",
            _(
                "The application of %(community)s is %(status)s: only a draft or a returned "
                "application can be edited."
            )
            % {
                "community": _community_name(allocation.community),
                "status": application.get_status_display(),
            },
        )
    _prepared_for_problems(prepared_for, problems)
    checked = _check_items(allocation, list(items), problems)
    _raise(problems)
    return _write(
        actor=actor,
        allocation=allocation,
        application=application,
        checked=checked,
        title=title,
        prepared_for=prepared_for,
    )


@transaction.atomic
def application_submit(*, actor: Any, application: Application, submitted_on: date) -> Application:
    """Submit a draft (or resubmit a returned application) on `submitted_on`: on or after the
    transfer, within the programme's fiscal year; the items are checked again."""
    application = _lock_application(application)
    allocation = application.allocation
    problems: Problems = {}
    if application.status not in EDITABLE:
        domain.add(
            problems,
            "status",
            _("The application is %(status)s: only a draft or a returned one can be submitted.")
            % {"status": application.get_status_display()},
        )
    _programme_problems(application.programme, problems, "programme")
    _allocation_problems(allocation, problems, "allocation")
    _date_problems(application, allocation, submitted_on, problems)
    items = [
        domain.ItemIn(i.category.code, i.description, i.amount, i.activity)
        for i in application.items.select_related("category")
    ]
    _check_items(allocation, items, problems)
    _raise(problems)
    return _submit(actor=actor, application=application, submitted_on=submitted_on)


@transaction.atomic
def application_create(
    *,
    actor: Any,
    programme: Programme,
    community: Any,
    submitted_on: date,
    items: list[domain.ItemIn],
    title: str = "",
    prepared_for: str | None = None,
) -> Application:
    """Save and submit in one (the API path). Refused: the community has no allocation in the
    programme, it is not transferred or was dropped, it already has an application, the date,
    any item problem: all reported together."""
    problems: Problems = {}
    allocation = (
        Allocation.objects.select_for_update()
        .filter(programme_id=programme.pk, community_id=community.pk)
        .first()
    )
    _programme_problems(programme, problems, "programme")
    _prepared_for_problems(prepared_for, problems)
    if allocation is None:
        domain.add(
            problems,
            "community",
            _("%(community)s has no budget in the programme “%(programme)s”.")
            % {"community": _community_name(community), "programme": programme.name},
        )
        _raise(problems)
    _allocation_problems(allocation, problems, "community")
    existing = _current(allocation)
    if existing is not None:
        domain.add(problems, "community", _existing_problem(existing))
    draft = Application(allocation=allocation, community=community, programme=programme)
    _date_problems(draft, allocation, submitted_on, problems)
    checked = _check_items(allocation, list(items), problems)
    _raise(problems)
    application = _write(
        actor=actor,
        allocation=allocation,
        application=None,
        checked=checked,
        title=title,
        prepared_for=prepared_for,
    )
    return _submit(actor=actor, application=application, submitted_on=submitted_on)


# --- review and decide ----------------------------------------------------------------------------


def _on_problems(application: Application, on: date | None, problems: Problems) -> None:
    if on is None:
        domain.add(problems, "on", _("Enter the date."))
        return
    dates = [d for d in (application.submitted_on, application.reviewed_on) if d]
    latest = max(dates) if dates else None
    if latest and on < latest:
        domain.add(
            problems,
            "on",
            _("The date %(date)s is before the application's last step (%(last)s).")
            % {"date": format_date(on), "last": format_date(latest)},
        )


def _within_the_year(application: Application, on: date | None, problems: Problems) -> None:
    """Money is committed within its fiscal year: an approval after the year ends could never
    be paid (a carry-over is reserved within the year)."""
    _starts, ends = fiscal_year_bounds(application.programme.fiscal_year)
    if on and on > ends:
        domain.add(
            problems,
            "on",
            _(
                "Fiscal year %(year)s ended on %(ends)s: an application approved after it "
                "could not be paid."
            )
            % {"year": application.programme.fiscal_year, "ends": format_date(ends)},
        )


def makers(application: Application) -> set[int]:
    """Ids of everyone who prepared or submitted the application (any version): under
    maker-checker none of them approves or returns it."""
    makers = {application.prepared_by_id}
    makers.update(
        application.steps.filter(kind=ApplicationStep.Kind.SUBMITTED).values_list(
            "by_id", flat=True
        )
    )
    # prepared_by is the last editor: whoever saved an earlier version (e.g. before someone
    # else re-saved it unchanged) prepared it too, as the audit trail records.
    makers.update(
        AuditEvent.objects.filter(
            object_type=Application._meta.label_lower,
            object_id=str(application.pk),
            action__in=("budgets.application_create", "budgets.application_edit"),
            actor__isnull=False,
        ).values_list("actor_id", flat=True)
    )
    return makers


def _maker_checker(
    actor: Any, application: Application, problems: Problems, *, returning: bool
) -> None:
    if getattr(actor, "pk", None) in makers(application):
        message = (
            _(
                "You prepared or submitted this application, so you cannot return it: "
                "another person (the division head) decides (maker-checker)."
            )
            if returning
            else _(
                "You prepared or submitted this application, so you cannot approve it: "
                "another person (the division head) approves (maker-checker)."
            )
        )
        domain.add(problems, "actor", message)


def _undecided_problems(application: Application, problems: Problems, *, returning: bool) -> None:
    if application.status not in UNDECIDED:
        message = (
            _("The application is %(status)s: only a submitted or reviewed one can be returned.")
            if returning
            else _(
                "The application is %(status)s: only a submitted or reviewed one can be approved."
            )
        )
        domain.add(problems, "status", message % {"status": application.get_status_display()})


@transaction.atomic
def application_review(
    *, actor: Any, application: Application, on: date, note: str = ""
) -> Application:
    """The district officer's review of a submitted application (with a note)."""
    application = _lock_application(application)
    problems: Problems = {}
    if application.status != Application.Status.SUBMITTED:
        domain.add(
            problems,
            "status",
            _("The application is %(status)s: only a submitted application can be reviewed.")
            % {"status": application.get_status_display()},
        )
    _programme_problems(application.programme, problems, "programme")
    _on_problems(application, on, problems)
    _raise(problems)
    old = application.status
    application.status = Application.Status.REVIEWED
    application.reviewed_by = actor
    application.reviewed_on = on
    application.review_note = (note or "").strip()
    application.save()
    ApplicationStep.objects.create(
        application=application,
        kind=ApplicationStep.Kind.REVIEWED,
        on=on,
        by=actor,
        note=application.review_note,
    )
    record_event(
        actor=actor,
        action="budgets.application_review",
        obj=application,
        changes={"status": [old, application.status], "reviewed_on": str(on)},
        reason=application.review_note,
        area_path=application.community.area.path,
    )
    return application


@transaction.atomic
def application_approve(
    *, actor: Any, application: Application, on: date, note: str = ""
) -> Application:
    """The division head approves a submitted or reviewed application for its items' total;
    whoever prepared or submitted it may not (maker-checker)."""
    application = _lock_application(application)
    problems: Problems = {}
    _undecided_problems(application, problems, returning=False)
    _programme_problems(application.programme, problems, "programme")
    _on_problems(application, on, problems)
    _within_the_year(application, on, problems)
    _maker_checker(actor, application, problems, returning=False)
    items = [
        domain.ItemIn(i.category.code, i.description, i.amount, i.activity)
        for i in application.items.select_related("category")
    ]
    total = sum((i.amount for i in items), Decimal("0"))
    if total <= 0:
        domain.add(problems, "items", _("The application has no items to approve."))
    else:  # the rules as they stand today (refused items, shares, the budget)
        _check_items(application.allocation, items, problems)
    _raise(problems)
    old = application.status
    application.status = Application.Status.APPROVED
    application.decided_by = actor
    application.decided_on = on
    application.decision_note = (note or "").strip()
    application.approved_amount = total
    application.save()
    ApplicationStep.objects.create(
        application=application,
        kind=ApplicationStep.Kind.APPROVED,
        on=on,
        by=actor,
        note=application.decision_note,
        amount=total,
    )
    record_event(
        actor=actor,
        action="budgets.application_approve",
        obj=application,
        changes={
            "status": [old, application.status],
            "approved_amount": str(total),
            "decided_on": str(on),
        },
        reason=application.decision_note,
        area_path=application.community.area.path,
    )
    return application


@transaction.atomic
def application_return(
    *, actor: Any, application: Application, on: date, reason: str
) -> Application:
    """The division head returns a submitted or reviewed application for changes, saying why;
    whoever prepared or submitted it may not (maker-checker)."""
    application = _lock_application(application)
    problems: Problems = {}
    _undecided_problems(application, problems, returning=True)
    _programme_problems(application.programme, problems, "programme")
    _on_problems(application, on, problems)
    _maker_checker(actor, application, problems, returning=True)
    reason = (reason or "").strip()
    if not reason:
        domain.add(problems, "reason", _("Say why the application is returned (what to change)."))
    _raise(problems)
    old = application.status
    application.status = Application.Status.RETURNED
    application.decided_by = actor
    application.decided_on = on
    application.decision_note = reason
    application.approved_amount = None
    application.save()
    ApplicationStep.objects.create(
        application=application,
        kind=ApplicationStep.Kind.RETURNED,
        on=on,
        by=actor,
        note=reason,
    )
    record_event(
        actor=actor,
        action="budgets.application_return",
        obj=application,
        changes={"status": [old, application.status], "decided_on": str(on)},
        reason=reason,
        area_path=application.community.area.path,
    )
    return application
