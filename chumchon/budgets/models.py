"""Budget programmes: per-community money from the city's allocation to the district's
disbursement, carry-over into the next fiscal year and closing.

The pipeline (each step a dated record by a named user; documents attach to any step through
core.attachments):

1. ``Allocation``: the programme budgets an amount for each eligible community (budgeted).
2. ``Transfer``: the department transfers the money of a district's communities to the district
   office; an allocation is then ``transferred``. A community dissolved before the transfer is
   ``dropped`` with the reason instead.
3. ``Application``: the community (its committee, or the district officer on its behalf) asks
   for the money with ``ApplicationItem`` rows checked against the programme's
   ``SpendingCategory`` shares and ``RefusedItem`` list; the district officer reviews it and the
   division head approves or returns it (whoever prepared it does not approve it).
4. ``Disbursement``: payments recorded by an officer and confirmed by the head, never above the
   approved amount, dated within the fiscal year or (against a ``CarryOver``) before the
   programme's carry-over deadline.
5. ``CarryOver``: committed but unpaid money reserved into the next fiscal year.
6. Closing: ``FundReturn`` rows give back what was transferred and not paid.

Money is ``Decimal`` (2 places). Rows that are money movements are never edited: a wrong
payment is cancelled (with a reason) and recorded again. Totals are sums (selectors.py).
Scoping: allocations, applications and payments reach their community
(``community__area__path``); transfers their district; programmes are city-wide.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chumchon.communities.models import Community, CommunityType
from chumchon.core.dates import format_date
from chumchon.core.models import BilingualNameMixin, TimeStampedModel
from chumchon.organizations.models import Area

MONEY = {"max_digits": 14, "decimal_places": 2}
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class Programme(BilingualNameMixin, TimeStampedModel):
    """A city programme for one fiscal year, e.g. the Strong Community Self-Development
    programme (200,000 baht per community)."""

    class Rule(models.TextChoices):
        FIXED = "fixed", _("A fixed amount per eligible community")
        PER_COMMUNITY = "per_community", _("An amount given per community")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being set up")
        OPEN = "open", _("Budget allocated")
        CLOSED = "closed", _("Closed")

    fiscal_year = models.PositiveIntegerField(_("fiscal year (B.E.)"))
    name_th = models.CharField(_("name (Thai)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    budget_code = models.CharField(_("budget code"), max_length=30)
    owner_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner area")
    )
    allocation_rule = models.CharField(
        _("allocation rule"), max_length=20, choices=Rule.choices, default=Rule.FIXED
    )
    amount_per_community = models.DecimalField(
        _("amount per community"), **MONEY, null=True, blank=True, validators=POSITIVE
    )
    community_types = models.ManyToManyField(
        CommunityType, related_name="+", verbose_name=_("community types"), blank=True
    )
    require_valid_committee = models.BooleanField(
        _("only communities with a valid committee"), default=False
    )
    carry_over_deadline = models.DateField(_("carry-over deadline"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    eligibility_on = models.DateField(_("eligibility as of"), null=True, blank=True)
    allocated_on = models.DateField(_("allocated on"), null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("closing note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-fiscal_year", "name_th"]
        verbose_name = _("budget programme")
        verbose_name_plural = _("budget programmes")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "name_th"], name="budgets_programme_year_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(allocation_rule="per_community")
                | Q(amount_per_community__isnull=False),
                name="budgets_programme_fixed_has_amount",
            ),
        ]

    @property
    def area_path(self) -> str:
        return self.owner_area.path


class SpendingCategory(BilingualNameMixin, models.Model):
    """A category of spending the programme allows, optionally capped at a share of the
    community's allocated amount (e.g. food and drinks at most 30 %)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="categories", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=40)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    max_share = models.DecimalField(
        _("maximum share of the allocation (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["programme_id", "sort_order", "code"]
        verbose_name = _("spending category")
        verbose_name_plural = _("spending categories")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"], name="budgets_category_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_share__isnull=True) | Q(max_share__lte=100),
                name="budgets_category_share_le_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RefusedItem(models.Model):
    """Something the programme does not pay for (e.g. CCTV cameras, refused in a past round).
    An item whose description contains ``term`` (ignoring case and spacing) is refused."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="refused", verbose_name=_("programme")
    )
    term = models.CharField(_("refused item"), max_length=100)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["programme_id", "term"]
        verbose_name = _("refused item")
        verbose_name_plural = _("refused items")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "term"], name="budgets_refused_term_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.term


class Transfer(TimeStampedModel):
    """Money transferred by the department to one district office for some of its communities
    (the allocations pointing at it). Its amount is the sum of those allocations."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("programme")
    )
    district = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    transferred_on = models.DateField(_("transferred on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["programme_id", "transferred_on", "pk"]
        verbose_name = _("transfer to a district")
        verbose_name_plural = _("transfers to districts")

    def __str__(self) -> str:
        return f"{self.district} {format_date(self.transferred_on)}"

    @property
    def area_path(self) -> str:
        return self.district.path


class Allocation(TimeStampedModel):
    """One community's budget in a programme."""

    class Status(models.TextChoices):
        BUDGETED = "budgeted", _("Budgeted")
        TRANSFERRED = "transferred", _("Transferred")
        DROPPED = "dropped", _("Dropped")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="allocations",
        verbose_name=_("programme"),
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    district = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district"),
        help_text=_("The community's district when the budget was allocated."),
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.BUDGETED
    )
    transfer = models.ForeignKey(
        Transfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
        verbose_name=_("transfer"),
    )
    dropped_on = models.DateField(_("dropped on"), null=True, blank=True)
    drop_reason = models.TextField(_("reason dropped"), blank=True)
    dropped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["programme_id", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "community"], name="budgets_allocation_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budgets_allocation_positive"),
            models.CheckConstraint(
                condition=~Q(status="transferred") | Q(transfer__isnull=False),
                name="budgets_allocation_transferred_has_transfer",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.programme} / {self.community}"

    @property
    def area_path(self) -> str:
        return self.community.area.path


class Application(TimeStampedModel):
    """A community's application for its allocation: activities and items with amounts."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed by the district")
        RETURNED = "returned", _("Returned for changes")
        APPROVED = "approved", _("Approved")

    class PreparedFor(models.TextChoices):
        COMMITTEE = "committee", _("By the community committee")
        DISTRICT = "district", _("By the district officer on the community's behalf")

    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("programme"),
    )
    allocation = models.OneToOneField(
        Allocation,
        on_delete=models.PROTECT,
        related_name="application",
        verbose_name=_("allocation"),
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    title = models.CharField(_("project title"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    prepared_for = models.CharField(
        _("prepared"), max_length=20, choices=PreparedFor.choices, default=PreparedFor.COMMITTEE
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    approved_amount = models.DecimalField(
        _("approved amount"), **MONEY, null=True, blank=True, validators=POSITIVE
    )

    class Meta:
        ordering = ["programme_id", "pk"]
        verbose_name = _("budget application")
        verbose_name_plural = _("budget applications")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_amount__isnull=False),
                name="budgets_application_approved_has_amount",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.programme} / {self.community}"

    @property
    def area_path(self) -> str:
        return self.community.area.path


class ApplicationItem(models.Model):
    """One item of an application: what it is for, its spending category and its amount."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="items", verbose_name=_("application")
    )
    activity = models.CharField(_("activity"), max_length=300, blank=True)
    category = models.ForeignKey(
        SpendingCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    description = models.CharField(_("item"), max_length=500)
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["application_id", "sort_order", "pk"]
        verbose_name = _("application item")
        verbose_name_plural = _("application items")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budgets_item_positive"),
        ]

    def __str__(self) -> str:
        return self.description


class ApplicationStep(models.Model):
    """The application's history: who did what on which day (submitted, reviewed, returned,
    approved), with the note they wrote."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="steps", verbose_name=_("application")
    )
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("note"), blank=True)
    amount = models.DecimalField(_("amount"), **MONEY, null=True, blank=True)
    at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["application_id", "at", "pk"]
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class Disbursement(TimeStampedModel):
    """A payment against an approved application. Recorded by an officer, confirmed by the
    head (someone else); only confirmed payments count as disbursed. Never edited: a wrong one
    is cancelled with a reason."""

    class Status(models.TextChoices):
        RECORDED = "recorded", _("Awaiting confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    class Against(models.TextChoices):
        YEAR = "year", _("Within the fiscal year")
        CARRY_OVER = "carry_over", _("Against the carry-over")

    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="disbursements",
        verbose_name=_("application"),
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    reference = models.CharField(_("reference"), max_length=100)
    against = models.CharField(
        _("paid from"), max_length=20, choices=Against.choices, default=Against.YEAR
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RECORDED
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason cancelled"), blank=True)

    class Meta:
        ordering = ["application_id", "paid_on", "pk"]
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budgets_disbursement_positive"),
        ]
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"

    @property
    def area_path(self) -> str:
        return self.application.community.area.path


class CarryOver(TimeStampedModel):
    """Committed but unpaid money of an approved application reserved into the next fiscal
    year (กันเงินไว้เบิกเหลื่อมปี); payments against it run until the programme's deadline."""

    application = models.OneToOneField(
        Application,
        on_delete=models.PROTECT,
        related_name="carry_over",
        verbose_name=_("application"),
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    reserved_on = models.DateField(_("reserved on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["application_id"]
        verbose_name = _("carry-over")
        verbose_name_plural = _("carry-overs")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budgets_carry_over_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.amount}"

    @property
    def area_path(self) -> str:
        return self.application.community.area.path


class FundReturn(TimeStampedModel):
    """Transferred money not paid out, given back when the programme closes."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="returns", verbose_name=_("programme")
    )
    allocation = models.OneToOneField(
        Allocation, on_delete=models.PROTECT, related_name="fund_return"
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=POSITIVE)
    returned_on = models.DateField(_("returned on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["programme_id", "pk"]
        verbose_name = _("return of unused money")
        verbose_name_plural = _("returns of unused money")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budgets_return_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.amount}"

    @property
    def area_path(self) -> str:
        return self.community.area.path
