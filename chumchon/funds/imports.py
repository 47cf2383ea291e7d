"""Importing a fund's opening books from Excel: its members (with their savings and the loans
they still owe) and the opening balances of the other accounts, in one all-or-nothing step.

The workbook has two sheets (``template_xlsx`` writes them, headers in Thai and English):

- "members" (or "สมาชิก"): member_no, national_id, joined_on, savings,
  loan_principal_outstanding, loan_rate, loan_instalments_left, loan_next_due: one line per
  member. People must already be in the registry (found by national ID, check digit checked,
  never repeated in a message). A loan becomes a ``Loan`` for the principal still owed with the
  remaining schedule (``domain.schedule`` from loan_next_due, the fund's interest method).
- "balances" (or "ยอดยกมา"): account_code, debit, credit for every other account (cash, bank,
  capital, grants...). Savings and loan accounts come from the members sheet only.

Everything is checked first and every problem listed as (sheet, row, column, message), rows
numbered as the spreadsheet shows them (the header is row 1). Nothing is saved unless the whole
file is right and the opening entry (kind ``opening``, dated the day the books start, posted
without confirmation) balances; if it does not, the message says by how much. Only a fund with
no entries yet may be imported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import WorksheetNotFound

from chumchon.communities.imports import cells
from chumchon.communities.imports.problems import CellError
from chumchon.communities.models import Person
from chumchon.core.audit import record_event
from chumchon.core.dates import format_date, parse_date
from chumchon.core.excel import read_xlsx_rows, write_xlsx
from chumchon.core.money import amount_problem, format_baht
from chumchon.core.national_id import national_id_hash

from . import domain, ledger
from .models import Account, Entry, Fund, FundMember, Instalment, Loan
from .services_setup import member_add

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Column:
    key: str
    label_th: str
    label_en: Any  # lazy
    required: bool = False

    @property
    def header(self) -> str:
        return f"{self.label_th} ({self.key})"


MEMBER_COLUMNS = (
    Column("member_no", "เลขที่สมาชิก", gettext_lazy("Member number")),
    Column("national_id", "เลขประจำตัวประชาชน", gettext_lazy("National ID"), required=True),
    Column("joined_on", "วันที่เป็นสมาชิก", gettext_lazy("Joined on"), required=True),
    Column("savings", "เงินออมสะสม", gettext_lazy("Savings")),
    Column("loan_principal_outstanding", "เงินกู้คงค้าง", gettext_lazy("Loan principal owed")),
    Column("loan_rate", "อัตราดอกเบี้ยร้อยละต่อปี", gettext_lazy("Interest rate (% a year)")),
    Column("loan_instalments_left", "จำนวนงวดที่เหลือ", gettext_lazy("Instalments left")),
    Column("loan_next_due", "วันครบกำหนดงวดถัดไป", gettext_lazy("Next instalment due")),
)
BALANCE_COLUMNS = (
    Column("account_code", "รหัสบัญชี", gettext_lazy("Account code"), required=True),
    Column("account_name", "ชื่อบัญชี", gettext_lazy("Account name (not read)")),
    Column("debit", "เดบิต", gettext_lazy("Debit")),
    Column("credit", "เครดิต", gettext_lazy("Credit")),
)
LOAN_KEYS = ("loan_rate", "loan_instalments_left", "loan_next_due")
SHEET_NAMES = {"members": ("members", "สมาชิก"), "balances": ("balances", "ยอดยกมา")}
SHEET_COLUMNS = {"members": MEMBER_COLUMNS, "balances": BALANCE_COLUMNS}


# --- problems ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    sheet: str | None  # None: the file or the fund as a whole
    row: int | None
    column: str | None
    message: str

    def render(self) -> str:
        where = []
        if self.sheet:
            where.append(_("sheet %(sheet)s") % {"sheet": self.sheet})
        if self.row:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ImportRefused(ValidationError):
    """The file was refused: ``problems`` lists every problem; nothing was saved."""

    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = list(problems)
        super().__init__({"file": [p.render() for p in self.problems]})


@dataclass
class ImportResult:
    members_added: int = 0
    members_existing: int = 0
    loans: int = 0
    savings_total: Decimal = ZERO
    loans_total: Decimal = ZERO
    balance_lines: int = 0
    entry: Entry | None = None


def _cell_message(exc: CellError) -> str:
    if isinstance(exc.message, ValidationError):
        return " ".join(str(m) for m in exc.message.messages)
    text = str(exc.message)
    return text % exc.params if exc.params else text


# --- reading ----------------------------------------------------------------------------------

_KEY_IN_HEADER = re.compile(r"\(\s*([a-z_]+)\s*\)\s*$")


def _header_key(value: Any, columns: Sequence[Column]) -> str | None:
    text = cells.text(value).strip()
    if not text:
        return None
    match = _KEY_IN_HEADER.search(text.lower())
    keys = {c.key for c in columns}
    if match and match.group(1) in keys:
        return match.group(1)
    lowered = text.lower()
    for column in columns:
        if lowered in (column.key, column.label_th.lower()):
            return column.key
    return None


@dataclass
class Sheet:
    name: str  # as the workbook names it
    header: dict[str, int] = field(default_factory=dict)  # key -> column index
    titles: dict[str, str] = field(default_factory=dict)  # key -> header as written
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (row number, cells)

    def get(self, cells_: list[Any], key: str) -> Any:
        index = self.header.get(key)
        if index is None or index >= len(cells_):
            return None
        return cells_[index]

    def title(self, key: str) -> str:
        return self.titles.get(key, key)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_sheet(data: bytes, kind: str, problems: list[RowProblem]) -> Sheet | None:
    rows = None
    for name in SHEET_NAMES[kind]:
        try:
            rows = read_xlsx_rows(data, name)
        except WorksheetNotFound:
            continue
        sheet = Sheet(name)
        break
    if rows is None:
        problems.append(
            RowProblem(
                None,
                None,
                None,
                _("The workbook has no sheet named “%(name)s” (or “%(thai)s”).")
                % {"name": SHEET_NAMES[kind][0], "thai": SHEET_NAMES[kind][1]},
            )
        )
        return None
    columns = SHEET_COLUMNS[kind]
    header = rows[0] if rows else []
    for index, value in enumerate(header):
        key = _header_key(value, columns)
        if key and key not in sheet.header:
            sheet.header[key] = index
            sheet.titles[key] = cells.text(value)
    for column in columns:
        if column.required and column.key not in sheet.header:
            problems.append(
                RowProblem(
                    sheet.name,
                    1,
                    column.header,
                    _("The column is missing: add a header “%(header)s”.")
                    % {"header": column.header},
                )
            )
    for number, values in enumerate(rows[1:], start=2):
        if all(_blank(v) for v in values):
            continue
        sheet.rows.append((number, list(values)))
    return sheet


def _amount(value: Any, label: str) -> tuple[Decimal, str | None]:
    """A blank or zero cell is zero; anything else must be an amount (core.money rule)."""
    if _blank(value):
        return ZERO, None
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return ZERO, None
    if isinstance(value, str) and value.strip() in ("0", "0.00", "-", "๐"):
        return ZERO, None
    amount, problem = amount_problem(value, label=label)
    return (amount or ZERO), problem


def _due_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            gettext_lazy("“%(value)s” is not a date: type day/month/year, for example 12/03/2567."),
            value=cells.text(value),
        )
    try:
        return parse_date(str(value))
    except ValidationError as exc:
        raise CellError(exc) from None


@dataclass
class MemberLine:
    row: int
    member_no: int | None
    person_id: int | None
    id_hash: str
    joined_on: dt.date | None
    savings: Decimal
    principal: Decimal
    rate: Decimal | None
    instalments: int | None
    next_due: dt.date | None
    existing: FundMember | None = None


@dataclass
class BalanceLine:
    row: int
    account: Account
    debit: Decimal
    credit: Decimal


def _member_lines(
    fund: Fund, on: dt.date, sheet: Sheet, problems: list[RowProblem]
) -> list[MemberLine]:
    def problem(row: int, key: str, message: str) -> None:
        problems.append(RowProblem(sheet.name, row, sheet.title(key), message))

    lines: list[MemberLine] = []
    for row, values in sheet.rows:
        line = MemberLine(row, None, None, "", None, ZERO, ZERO, None, None, None)
        raw = {key: sheet.get(values, key) for key in sheet.header}
        try:
            number = cells.national_id(raw.get("national_id"))
            line.id_hash = national_id_hash(number)
        except CellError as exc:
            problem(row, "national_id", _cell_message(exc))
        try:
            no = cells.whole_number(raw.get("member_no"))
            if no == 0:
                raise CellError(gettext_lazy("A member number starts at 1."))
            line.member_no = no
        except CellError as exc:
            problem(row, "member_no", _cell_message(exc))
        try:
            line.joined_on = cells.past_date(raw.get("joined_on"))
            if line.joined_on is None:
                problem(row, "joined_on", _("Enter the date the person joined the fund."))
            elif line.joined_on < fund.established_on:
                problem(
                    row,
                    "joined_on",
                    _("The joining date is before the fund was established (%(day)s).")
                    % {"day": format_date(fund.established_on)},
                )
            elif line.joined_on > on:
                problem(
                    row,
                    "joined_on",
                    _(
                        "The joining date is after the opening date (%(day)s): add later "
                        "members on the members page."
                    )
                    % {"day": format_date(on)},
                )
        except CellError as exc:
            problem(row, "joined_on", _cell_message(exc))
        line.savings, message = _amount(raw.get("savings"), sheet.title("savings"))
        if message:
            problem(row, "savings", message)
        principal_title = sheet.title("loan_principal_outstanding")
        line.principal, message = _amount(raw.get("loan_principal_outstanding"), principal_title)
        if message:
            problem(row, "loan_principal_outstanding", message)
        has_loan_details = any(not _blank(raw.get(key)) for key in LOAN_KEYS)
        if line.principal > 0:
            _loan_details(fund, on, line, raw, lambda key, msg, row=row: problem(row, key, msg))
        elif has_loan_details and not message:
            problem(
                row,
                "loan_principal_outstanding",
                _(
                    "Loan details are filled in without the principal owed: enter the principal "
                    "or leave the loan columns empty."
                ),
            )
        lines.append(line)
    return lines


def _loan_details(fund: Fund, on: dt.date, line: MemberLine, raw: dict, problem) -> None:
    rate_value = raw.get("loan_rate")
    if _blank(rate_value):
        line.rate = fund.interest_rate
    else:
        try:
            rate = cells.decimal(rate_value)
            if rate is None or rate < 0 or rate > 36 or rate != rate.quantize(Decimal("0.01")):
                raise CellError(
                    gettext_lazy("The interest rate is a percentage a year from 0 to 36.")
                )
            line.rate = rate.quantize(Decimal("0.01"))
        except CellError as exc:
            problem("loan_rate", _cell_message(exc))
    try:
        left = cells.whole_number(raw.get("loan_instalments_left"))
        if left is None:
            problem("loan_instalments_left", _("Enter how many monthly instalments are left."))
        elif not 1 <= left <= 120:
            problem("loan_instalments_left", _("The instalments left must be from 1 to 120."))
        else:
            line.instalments = left
    except CellError as exc:
        problem("loan_instalments_left", _cell_message(exc))
    value = raw.get("loan_next_due")
    if _blank(value):
        problem("loan_next_due", _("Enter the date the next instalment is due."))
        return
    try:
        due = _due_date(value)
    except CellError as exc:
        problem("loan_next_due", _cell_message(exc))
        return
    if due <= on:
        problem(
            "loan_next_due",
            _(
                "The next instalment must fall after the opening date (%(day)s): include "
                "instalments already late in the principal owed and date the next one after it."
            )
            % {"day": format_date(on)},
        )
    else:
        line.next_due = due


def _check_people(
    fund: Fund, lines: list[MemberLine], sheet: Sheet, problems: list[RowProblem]
) -> None:
    """Registry people by ID hash (one query), members already in the fund, duplicates."""

    def problem(row: int, key: str, message: str) -> None:
        problems.append(RowProblem(sheet.name, row, sheet.title(key), message))

    hashes = {line.id_hash for line in lines if line.id_hash}
    people = {
        p.national_id_hash: p
        for p in Person.objects.filter(national_id_hash__in=hashes).only(
            "pk", "national_id_hash", "status", "first_name", "last_name", "prefix"
        )
    }
    existing = {
        m.person_id: m for m in FundMember.objects.filter(fund=fund).select_related("person")
    }
    taken = {m.member_no: m for m in existing.values()}
    seen_ids: dict[str, int] = {}
    seen_nos: dict[int, int] = {}
    for line in lines:
        if line.id_hash:
            if line.id_hash in seen_ids:
                problem(
                    line.row,
                    "national_id",
                    _("This national ID appears twice in the sheet: see row %(row)s.")
                    % {"row": seen_ids[line.id_hash]},
                )
            else:
                seen_ids[line.id_hash] = line.row
            person = people.get(line.id_hash)
            if person is None:
                problem(
                    line.row,
                    "national_id",
                    _(
                        "No one in the registry has this national ID: register the person "
                        "first, then import again."
                    ),
                )
            else:
                line.person_id = person.pk
                line.existing = existing.get(person.pk)
                if line.existing is None and person.status != Person.Status.ALIVE:
                    problem(
                        line.row,
                        "national_id",
                        _("%(name)s is recorded as %(status)s in the registry.")
                        % {"name": person.full_name, "status": person.get_status_display()},
                    )
        if line.member_no is not None:
            if line.member_no in seen_nos:
                problem(
                    line.row,
                    "member_no",
                    _("Member number %(no)s appears twice in the sheet: see row %(row)s.")
                    % {"no": line.member_no, "row": seen_nos[line.member_no]},
                )
            else:
                seen_nos[line.member_no] = line.row
            holder = taken.get(line.member_no)
            if holder is not None and holder.person_id != line.person_id:
                problem(
                    line.row,
                    "member_no",
                    _("Member number %(no)s is already taken by %(name)s.")
                    % {"no": line.member_no, "name": holder.person.full_name},
                )
        if (
            line.existing is not None
            and line.member_no is not None
            and line.existing.member_no != line.member_no
        ):
            problem(
                line.row,
                "member_no",
                _("This person is already member number %(no)s of the fund.")
                % {"no": line.existing.member_no},
            )


def _balance_lines(fund: Fund, sheet: Sheet, problems: list[RowProblem]) -> list[BalanceLine]:
    def problem(row: int, key: str, message: str) -> None:
        problems.append(RowProblem(sheet.name, row, sheet.title(key), message))

    accounts = {a.code: a for a in Account.objects.filter(fund=fund)}
    seen: dict[str, int] = {}
    lines = []
    for row, values in sheet.rows:
        code = cells.code_text(sheet.get(values, "account_code"))
        debit, debit_problem = _amount(sheet.get(values, "debit"), sheet.title("debit"))
        credit, credit_problem = _amount(sheet.get(values, "credit"), sheet.title("credit"))
        if debit_problem:
            problem(row, "debit", debit_problem)
        if credit_problem:
            problem(row, "credit", credit_problem)
        if not debit and not credit and not debit_problem and not credit_problem:
            continue  # an account listed without a balance (as in the template)
        account = accounts.get(code)
        if not code:
            problem(row, "account_code", _("Enter the account code."))
        elif account is None:
            problem(
                row,
                "account_code",
                _("The fund has no account %(code)s: see its chart of accounts.") % {"code": code},
            )
        elif account.role in domain.MEMBER_ROLES | domain.LOAN_ROLES:
            problem(
                row,
                "account_code",
                _(
                    "Account %(code)s (%(name)s) is kept per member or per loan: enter it in "
                    "the members sheet."
                )
                % {"code": code, "name": account.name},
            )
        elif code in seen:
            problem(
                row,
                "account_code",
                _("Account %(code)s appears twice: see row %(row)s.")
                % {"code": code, "row": seen[code]},
            )
        if debit and credit:
            problem(row, "credit", _("Enter either a debit or a credit, not both."))
        if code and code not in seen:
            seen[code] = row
        if account is not None and not (debit and credit):
            lines.append(BalanceLine(row, account, debit, credit))
    return lines


# --- the import -------------------------------------------------------------------------------


def _read(upload: Any) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read() if hasattr(upload, "read") else upload
    return bytes(data)


@transaction.atomic
def import_opening(
    *, actor: Any, fund: Fund, upload: Any, on: dt.date | None = None
) -> ImportResult:
    """Import the fund's members and opening balances from ``upload`` (an uploaded file or
    bytes), dated ``on`` (the day the books start). Raises ``ImportRefused`` listing every
    problem; nothing is saved unless everything is right."""
    fund = ledger.lock_fund(fund)
    on = on or fund.books_start
    problems: list[RowProblem] = []
    if Entry.objects.filter(fund=fund).exists():
        problems.append(
            RowProblem(
                None,
                None,
                None,
                _(
                    "%(fund)s already has entries: opening balances are imported only into a "
                    "fund whose books are empty."
                )
                % {"fund": fund.name},
            )
        )
        raise ImportRefused(problems)
    if on != fund.books_start:
        problems.append(
            RowProblem(
                None,
                None,
                None,
                _("Opening balances are dated the day the books start (%(day)s), not %(on)s.")
                % {"day": format_date(fund.books_start), "on": format_date(on)},
            )
        )
    try:
        ledger.check_date(fund, on)
    except ValidationError as exc:
        problems.extend(RowProblem(None, None, None, m) for m in exc.messages)
    data = _read(upload)
    try:
        members_sheet = _read_sheet(data, "members", problems)
        balances_sheet = _read_sheet(data, "balances", problems)
    except ValidationError as exc:
        problems.extend(RowProblem(None, None, None, m) for m in exc.messages)
        raise ImportRefused(problems) from None
    if members_sheet is None or balances_sheet is None or problems:
        raise ImportRefused(problems)
    members = _member_lines(fund, on, members_sheet, problems)
    _check_people(fund, members, members_sheet, problems)
    balances = _balance_lines(fund, balances_sheet, problems)
    if problems:
        raise ImportRefused(problems)
    debits = sum((m.principal for m in members), ZERO) + sum((b.debit for b in balances), ZERO)
    credits = sum((m.savings for m in members), ZERO) + sum((b.credit for b in balances), ZERO)
    if debits != credits:
        raise ImportRefused(
            [
                RowProblem(
                    None,
                    None,
                    None,
                    _(
                        "The opening balances do not balance: debits %(debits)s, credits "
                        "%(credits)s; the %(side)s are short by %(difference)s."
                    )
                    % {
                        "debits": format_baht(debits),
                        "credits": format_baht(credits),
                        "side": _("credits") if debits > credits else _("debits"),
                        "difference": format_baht(abs(debits - credits)),
                    },
                )
            ]
        )
    return _write(actor=actor, fund=fund, on=on, members=members, balances=balances)


def _write(
    *,
    actor: Any,
    fund: Fund,
    on: dt.date,
    members: list[MemberLine],
    balances: list[BalanceLine],
) -> ImportResult:
    result = ImportResult()
    people = Person.objects.in_bulk([m.person_id for m in members if m.existing is None])
    next_no = (FundMember.objects.filter(fund=fund).aggregate(n=Max("member_no"))["n"] or 0) + 1
    numbered = {m.member_no for m in members if m.member_no is not None}
    accounts = ledger.accounts_by_role(fund)
    legs: list[ledger.LegIn] = []
    loan_no = (Loan.objects.filter(fund=fund).aggregate(n=Max("number"))["n"] or 0) + 1
    for line in members:
        member = line.existing
        if member is None:
            number = line.member_no
            if number is None:
                while next_no in numbered:
                    next_no += 1
                number = next_no
                numbered.add(number)
            try:
                member = member_add(
                    actor=actor,
                    fund=fund,
                    person=people[line.person_id],
                    joined_on=line.joined_on,
                    member_no=number,
                )
            except ValidationError as exc:
                raise ImportRefused(
                    [RowProblem("members", line.row, None, m) for m in exc.messages]
                ) from None
            result.members_added += 1
        else:
            result.members_existing += 1
        if line.savings > 0:
            legs.append(ledger.LegIn(accounts["savings"], credit=line.savings, member=member))
            result.savings_total += line.savings
        if line.principal > 0:
            loan = Loan.objects.create(
                fund=fund,
                member=member,
                number=loan_no,
                principal=line.principal,
                interest_method=fund.interest_method,
                interest_rate=line.rate,
                instalments=line.instalments,
                first_due_on=line.next_due,
                late_fee=fund.late_fee,
                grace_days=fund.grace_days,
                purpose=_("Balance brought forward"),
            )
            loan_no += 1
            Instalment.objects.bulk_create(
                Instalment(
                    loan=loan,
                    number=row.number,
                    due_on=row.due_on,
                    principal_due=row.principal_due,
                    interest_due=row.interest_due,
                )
                for row in domain.schedule(
                    line.principal, line.rate, fund.interest_method, line.instalments, line.next_due
                )
            )
            legs.append(ledger.LegIn(accounts["loans"], debit=line.principal, loan=loan))
            result.loans += 1
            result.loans_total += line.principal
    for line in balances:
        legs.append(ledger.LegIn(line.account, debit=line.debit, credit=line.credit))
        result.balance_lines += 1
    if legs:
        try:
            result.entry = ledger.post(
                actor=actor,
                fund=fund,
                posting=ledger.Posting(
                    kind=Entry.Kind.OPENING,
                    entry_date=on,
                    description=_("Opening balances imported from Excel"),
                    extra_audit={"import": True},
                ),
                legs=legs,
                confirm=False,
            )
        except ValidationError as exc:
            raise ImportRefused([RowProblem(None, None, None, m) for m in exc.messages]) from None
    record_event(
        actor=actor,
        action="funds.import_opening",
        obj=fund,
        changes={
            "members_added": result.members_added,
            "loans": result.loans,
            "savings": str(result.savings_total),
            "loans_total": str(result.loans_total),
            "entry": result.entry.number if result.entry else None,
        },
        area_path=fund.area.path,
    )
    return result


# --- the template -----------------------------------------------------------------------------


def template_xlsx() -> bytes:
    """The workbook to fill in: "members" and "balances" with headers in Thai and English
    ("เลขที่สมาชิก (member_no)"); the balances sheet lists the standard accounts other than
    savings and loans, to fill in; a third sheet explains each column."""
    balances = [
        [code, name_th, None, None]
        for code, _type, role, name_th, _en in domain.STANDARD_CHART
        if role not in domain.MEMBER_ROLES | domain.LOAN_ROLES
    ]
    with translation.override("en"):
        notes = [
            [c.key, c.label_th, str(c.label_en), "ต้องกรอก (required)" if c.required else ""]
            for c in (*MEMBER_COLUMNS, *BALANCE_COLUMNS)
        ]
    return write_xlsx(
        [
            ("members", [c.header for c in MEMBER_COLUMNS], []),
            ("balances", [c.header for c in BALANCE_COLUMNS], balances),
            ("คำอธิบาย", ["column", "คอลัมน์", "meaning", ""], notes),
        ]
    )
