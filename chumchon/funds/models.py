"""Community funds: double-entry books for community development funds, the village and urban
community fund, Mother of the Land funds, savings groups and welfare funds.

- ``FundKind`` is data (migration 0002 loads the five kinds). A ``Fund`` belongs to an area (a
  community, or a district) and carries its rules: monthly savings minimum, loan ceiling per
  member, interest method and rate, number of instalments, late fee, confirmation threshold,
  the month its accounting year starts.
- ``Account``: the fund's chart of accounts (the standard accounts are created with the fund,
  each with a ``role`` the services post to; more accounts may be added with role "other").
- ``FundMember``: a registry person who belongs to the fund (may live outside the community).
  ``FundOfficer``: the fund's own committee over dates (chair, treasurer, clerk, ...); the
  positions that act on the books hold a fund role granted through ``RoleAssignment``.
- ``Entry`` + ``Leg``: a balanced double-entry transaction. Legs are written once (append-only);
  an entry's only change is its status: ``pending`` (above the fund's threshold, waiting for a
  second person) -> ``posted`` | ``rejected``. A mistake is corrected by a reversing entry
  (``reverses``) with a reason. Only posted entries count in balances; limits (savings, cash,
  what a loan owes) also subtract pending decreases so two pending withdrawals cannot overdraw.
- ``Loan`` + ``Instalment``: the loan contract and its schedule, fixed when the loan is paid
  out. What a loan owes (principal, interest due, fees due, arrears) is derived from legs;
  ``Loan.arrears_since`` is only a flag the daily job sets for reports.
- ``PeriodClose``: months and years closed; an entry dated on or before the last closed day is
  refused (corrections go in the open period).

Balances are sums of legs (selectors.py); when a month closes its balances are carried
forward (``ClosingBalance``), so a sum reads the last snapshot plus the legs dated after it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.communities.models import Person
from chumchon.core.models import AppendOnlyModel, BilingualNameMixin, TimeStampedModel
from chumchon.organizations.models import Area

MONEY = {"max_digits": 14, "decimal_places": 2}
NOT_NEGATIVE = [MinValueValidator(Decimal("0"))]
POSITIVE = [MinValueValidator(Decimal("0.01"))]


class FundKind(BilingualNameMixin, models.Model):
    """A kind of fund (data): community development fund, village and urban community fund
    (1 million baht), Mother of the Land fund, savings group, welfare fund."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    standard_grant = models.DecimalField(
        _("standard grant"), **MONEY, null=True, blank=True, validators=POSITIVE
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("fund kind")
        verbose_name_plural = _("fund kinds")

    def __str__(self) -> str:
        return self.name


class Fund(TimeStampedModel):
    class InterestMethod(models.TextChoices):
        FLAT = "flat", _("Flat rate per year on the original principal")
        DECLINING = "declining", _("On the declining balance")

    kind = models.ForeignKey(FundKind, on_delete=models.PROTECT, verbose_name=_("kind"))
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="funds", verbose_name=_("area")
    )
    name = models.CharField(_("name"), max_length=200)
    registration_no = models.CharField(_("registration number"), max_length=50, blank=True)
    established_on = models.DateField(_("established on"))
    books_start = models.DateField(
        _("books start"), help_text=_("The first day the books in Chumchon cover.")
    )
    year_start_month = models.PositiveSmallIntegerField(
        _("accounting year starts in month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    # rules
    savings_minimum = models.DecimalField(
        _("monthly savings minimum per member"), **MONEY, default=0, validators=NOT_NEGATIVE
    )
    loan_ceiling = models.DecimalField(
        _("loan ceiling per member"), **MONEY, default=0, validators=NOT_NEGATIVE
    )
    interest_method = models.CharField(
        _("interest method"),
        max_length=12,
        choices=InterestMethod.choices,
        default=InterestMethod.DECLINING,
    )
    interest_rate = models.DecimalField(
        _("interest rate (percent a year)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("36"))],
    )
    max_instalments = models.PositiveSmallIntegerField(
        _("most monthly instalments"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    late_fee = models.DecimalField(
        _("late fee per late instalment"), **MONEY, default=0, validators=NOT_NEGATIVE
    )
    grace_days = models.PositiveSmallIntegerField(
        _("days of grace before a late fee"), default=0, validators=[MaxValueValidator(90)]
    )
    confirm_threshold = models.DecimalField(
        _("entries above this amount need a second person's confirmation"),
        **MONEY,
        default=Decimal("10000.00"),
        validators=NOT_NEGATIVE,
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["area_id", "name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="funds_fund_area_name_unique"),
            models.CheckConstraint(
                condition=Q(books_start__gte=F("established_on")),
                name="funds_fund_books_after_established",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def area_path(self) -> str:
        return self.area.path


class Account(BilingualNameMixin, models.Model):
    """An account of one fund's chart. ``role`` says what the services post to it."""

    class Type(models.TextChoices):
        ASSET = "asset", _("Asset")
        LIABILITY = "liability", _("Liability")
        EQUITY = "equity", _("Fund capital")
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    class Role(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK = "bank", _("Bank")
        LOANS = "loans", _("Loans receivable")
        INTEREST_RECEIVABLE = "interest_receivable", _("Interest receivable")
        FEES_RECEIVABLE = "fees_receivable", _("Fees receivable")
        SAVINGS = "savings", _("Member savings")
        CAPITAL = "capital", _("Fund capital")
        GRANTS = "grants", _("Grants received")
        INTEREST_INCOME = "interest_income", _("Interest income")
        FEE_INCOME = "fee_income", _("Fees and fines")
        EXPENSES = "expenses", _("Expenses")
        OTHER = "other", _("Other")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("account code"), max_length=10)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OTHER)
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["fund_id", "code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(fields=["fund", "code"], name="funds_account_code_unique"),
            models.UniqueConstraint(
                fields=["fund", "role"],
                condition=~Q(role="other"),
                name="funds_account_role_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def debit_normal(self) -> bool:
        return self.type in (self.Type.ASSET, self.Type.EXPENSE)


class FundMember(TimeStampedModel):
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="fund_memberships", verbose_name=_("person")
    )
    member_no = models.PositiveIntegerField(_("member number"))
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["fund_id", "member_no"]
        verbose_name = _("fund member")
        verbose_name_plural = _("fund members")
        constraints = [
            models.UniqueConstraint(fields=["fund", "person"], name="funds_member_person_unique"),
            models.UniqueConstraint(fields=["fund", "member_no"], name="funds_member_no_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.member_no} {self.person.full_name}"


class FundOfficer(TimeStampedModel):
    """A seat on the fund's own committee, held over dates."""

    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice chair")
        TREASURER = "treasurer", _("Treasurer")
        SECRETARY = "secretary", _("Secretary")
        CLERK = "clerk", _("Clerk (bookkeeper)")
        MEMBER = "member", _("Committee member")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="officers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    position = models.CharField(_("position"), max_length=12, choices=Position.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("reason it ended"), max_length=255, blank=True)
    role_assignment = models.ForeignKey(
        "accounts.RoleAssignment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["fund_id", "starts_on", "pk"]
        verbose_name = _("fund committee member")
        verbose_name_plural = _("fund committee members")


class Loan(TimeStampedModel):
    """A loan to a member: the contract (snapshot of the fund's rules when it was paid out).
    What it owes is derived from legs; ``arrears_since`` is a flag set by the daily job."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="loans")
    member = models.ForeignKey(FundMember, on_delete=models.PROTECT, related_name="loans")
    number = models.PositiveIntegerField(_("loan number"))
    principal = models.DecimalField(_("principal"), **MONEY, validators=POSITIVE)
    interest_method = models.CharField(
        _("interest method"), max_length=12, choices=Fund.InterestMethod.choices
    )
    interest_rate = models.DecimalField(
        _("interest rate (percent a year)"), max_digits=5, decimal_places=2
    )
    instalments = models.PositiveSmallIntegerField(_("monthly instalments"))
    first_due_on = models.DateField(_("first instalment due"))
    late_fee = models.DecimalField(_("late fee per late instalment"), **MONEY, default=0)
    grace_days = models.PositiveSmallIntegerField(_("days of grace"), default=0)
    purpose = models.CharField(_("purpose"), max_length=255, blank=True)
    guarantors = models.CharField(_("guarantors"), max_length=255, blank=True)
    arrears_since = models.DateField(_("in arrears since"), null=True, blank=True)
    arrears_checked_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["fund_id", "number"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="funds_loan_number_unique"),
        ]
        indexes = [models.Index(fields=["arrears_since"])]

    def __str__(self) -> str:
        return _("Loan %(number)s") % {"number": self.number}


class Instalment(AppendOnlyModel):
    """One instalment of a loan's schedule (the contract, fixed at pay-out). For a declining
    balance the interest shown is what is due if every instalment is paid on time; the interest
    actually due is accrued on each due date from the principal then outstanding."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="schedule")
    number = models.PositiveSmallIntegerField(_("instalment"))
    due_on = models.DateField(_("due on"))
    principal_due = models.DecimalField(_("principal"), **MONEY)
    interest_due = models.DecimalField(_("interest"), **MONEY)

    class Meta:
        ordering = ["loan_id", "number"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(fields=["loan", "number"], name="funds_instalment_unique"),
        ]


class Entry(models.Model):
    """A balanced double-entry transaction (its legs are ``Leg`` rows)."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening balances")
        GRANT = "grant", _("Grant received")
        CAPITAL = "capital", _("Capital contributed")
        DEPOSIT = "deposit", _("Savings deposit")
        WITHDRAWAL = "withdrawal", _("Savings withdrawal")
        LOAN = "loan", _("Loan paid out")
        REPAYMENT = "repayment", _("Loan repayment")
        INTEREST = "interest", _("Interest accrued")
        LATE_FEE = "late_fee", _("Late fee charged")
        EXPENSE = "expense", _("Expense")
        INCOME = "income", _("Other income")
        TRANSFER = "transfer", _("Transfer between cash and bank")
        JOURNAL = "journal", _("Journal entry")
        REVERSAL = "reversal", _("Reversal")

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        PENDING = "pending", _("Awaiting confirmation")
        REJECTED = "rejected", _("Rejected")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    number = models.PositiveIntegerField(_("entry number"))
    entry_date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=255, blank=True)
    reference = models.CharField(_("receipt or voucher number"), max_length=50, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)  # the sum of the debits
    member = models.ForeignKey(
        FundMember, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    instalment_no = models.PositiveSmallIntegerField(null=True, blank=True)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.POSTED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("confirmed or rejected at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejecting"), blank=True)

    class Meta:
        ordering = ["fund_id", "number"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            models.UniqueConstraint(fields=["fund", "number"], name="funds_entry_number_unique"),
            # one live reversal per entry (a rejected one does not count)
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False) & ~Q(status="rejected"),
                name="funds_entry_one_reversal",
            ),
            # interest and late fees are charged once per instalment
            models.UniqueConstraint(
                fields=["loan", "kind", "instalment_no"],
                condition=Q(kind__in=["interest", "late_fee"]) & ~Q(status="rejected"),
                name="funds_entry_charge_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_entry_amount_positive"),
        ]
        indexes = [models.Index(fields=["fund", "entry_date"])]

    def __str__(self) -> str:
        return f"{self.fund_id}-{self.number}"


class Leg(AppendOnlyModel):
    """One side of an entry on one account: a debit or a credit (never both), for a member
    (savings) or a loan (receivables) where the account needs it."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="legs")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legs")
    debit = models.DecimalField(_("debit"), **MONEY, default=0)
    credit = models.DecimalField(_("credit"), **MONEY, default=0)
    member = models.ForeignKey(
        FundMember, on_delete=models.PROTECT, null=True, blank=True, related_name="legs"
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="legs"
    )

    class Meta:
        ordering = ["entry_id", "pk"]
        verbose_name = _("leg")
        verbose_name_plural = _("legs")
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(debit=0) & Q(credit__gt=0)),
                name="funds_leg_one_side",
            ),
        ]


class PeriodClose(AppendOnlyModel):
    """A closed month or accounting year. Closing is in order and never undone. Saving a month
    close writes its balances carried forward (``ClosingBalance``, ``ledger.carry_forward``) in
    the same transaction, whoever writes it; a year close adds none (its months wrote them)."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="closes")
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["fund_id", "ends_on", "kind"]
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "kind", "starts_on"], name="funds_period_close_unique"
            ),
        ]

    def save(self, *args, **kwargs):
        from . import ledger  # the ledger reads these models

        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.kind == self.Kind.MONTH:
                ledger.carry_forward(self)


class ClosingBalance(AppendOnlyModel):
    """A balance carried forward when a month closes: the sum of the POSTED legs dated on or
    before the month's last day, for one account (and member or loan), in the account's own
    direction (``domain.natural``). Zero balances are not written. Closed periods never change
    (no entry is dated in them, none waits for confirmation in them), so a snapshot is final:
    a balance is the last month close's rows plus the legs dated after it."""

    close = models.ForeignKey(PeriodClose, on_delete=models.PROTECT, related_name="balances")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        FundMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    balance = models.DecimalField(_("balance"), **MONEY)

    class Meta:
        ordering = ["close_id", "account_id", "member_id", "loan_id"]
        verbose_name = _("balance carried forward")
        verbose_name_plural = _("balances carried forward")
