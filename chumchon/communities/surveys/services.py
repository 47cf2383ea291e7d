"""Every write of the household survey: rounds (open, close, reopen), surveys (start, save a
draft, submit with classification, reopen), reclassification of a round. Keyword-only, `actor`
first, atomic, validated (translated messages naming the field and the member), audited.

The classification is taken at submission from the rules in force on the survey date and the
dated parameters of that date, and stored on the survey (a snapshot); the household's
`survey_poor` follows its latest submitted survey (the manual override still wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import record_event
from chumchon.core.dates import fiscal_year, fiscal_year_bounds, format_date
from chumchon.core.params import ParameterMissing, parameter_value
from chumchon.organizations.models import Area

from ..models import Community, Household, Person
from . import domain
from .models import Survey, SurveyMember, SurveyRound, SurveyRule

HOUSEHOLD_ANSWERS = (
    "surveyor_name",
    "respondent_name",
    "other_income_year",
    "expenses_month",
    "debt_formal",
    "debt_informal",
    "savings",
    "tenure",
    "housing_condition",
    "drinking_water_enough",
    "water_source",
    "electricity",
    "waste",
    "welfare_received",
    "needs",
)
MEMBER_ANSWERS = (
    "name",
    "age",
    "occupation",
    "income_year",
    "education",
    "in_school",
    "reads_thai",
    "health_insurance",
    "has_disability",
)
# answers a submitted survey must have (household level)
REQUIRED_ANSWERS = (
    "tenure",
    "housing_condition",
    "drinking_water_enough",
    "water_source",
    "electricity",
    "waste",
)
WELFARE_CODES = {code for code, _label in domain.WELFARE_CHOICES}


def _today() -> date:
    return timezone.localdate()


# --- parameters and rules -----------------------------------------------------------------------


def _parameter(key: str, on: date) -> Any:
    try:
        return parameter_value(key, on)
    except ParameterMissing as exc:
        raise ValidationError(
            _(
                "The parameter %(key)s has no value on %(date)s: ask central staff to set it "
                "on the parameters page before surveys of that date are classified."
            )
            % {"key": key, "date": format_date(on)},
            code="parameter_missing",
        ) from exc


def ages_on(day: date) -> dict[str, int]:
    """The age parameters valid on `day` (whole years)."""
    return {key: int(Decimal(str(_parameter(key, day)))) for key in domain.AGE_PARAMETERS}


def rules_on(day: date) -> list[SurveyRule]:
    return list(SurveyRule.objects.in_force_on(day))


RulesOnDay = tuple[list[domain.RuleSpec], dict[str, Any], dict[str, int]]


def rules_context(day: date, cache: dict[date, RulesOnDay] | None = None) -> RulesOnDay:
    """The rules in force on `day`, their thresholds and the age parameters of that day; pass a
    dict as `cache` to read them once per date when classifying many surveys."""
    if cache is not None and day in cache:
        return cache[day]
    rules = rules_on(day)
    thresholds = {
        r.parameter_key: _parameter(r.parameter_key, day) for r in rules if r.parameter_key
    }
    context = ([r.spec() for r in rules], thresholds, ages_on(day))
    if cache is not None:
        cache[day] = context
    return context


def classify_facts(
    facts: domain.SurveyFacts, day: date, cache: dict[date, RulesOnDay] | None = None
) -> domain.Classification:
    """Classify answers with the rules and parameters in force on `day`."""
    specs, thresholds, ages = rules_context(day, cache)
    return domain.classify(domain.compute_measures(facts, ages), specs, thresholds)


def survey_facts(
    survey: Survey, members: Iterable[SurveyMember] | None = None
) -> domain.SurveyFacts:
    """The survey's answers as pure facts (ages on the survey date)."""
    rows = list(members) if members is not None else list(survey.members.select_related("person"))
    return domain.SurveyFacts(
        members=[
            domain.MemberFacts(
                age=member_age(m, survey.surveyed_on),
                occupation=m.occupation,
                income_year=m.income_year or Decimal("0"),
                in_school=m.in_school,
                reads_thai=m.reads_thai,
                health_insurance=m.health_insurance,
                has_disability=m.has_disability,
            )
            for m in rows
        ],
        other_income_year=survey.other_income_year or Decimal("0"),
        expenses_month=survey.expenses_month,
        debt_formal=survey.debt_formal,
        debt_informal=survey.debt_informal,
        savings=survey.savings,
        tenure=survey.tenure,
        housing_condition=survey.housing_condition,
        drinking_water_enough=survey.drinking_water_enough,
        water_source=survey.water_source,
        electricity=survey.electricity,
        waste=survey.waste,
        welfare_received=tuple(survey.welfare_received or ()),
    )


def member_age(member: SurveyMember, day: date) -> int | None:
    """A registry person's age from the birth date; else the age as told."""
    if member.person_id and member.person.birth_date:
        return domain.age_on(member.person.birth_date, day)
    return member.age


def survey_preview(survey: Survey) -> domain.Classification:
    """What the classification would be if the survey were submitted now (drafts)."""
    return classify_facts(survey_facts(survey), survey.surveyed_on)


# --- rounds -------------------------------------------------------------------------------------


@transaction.atomic
def survey_round_open(
    *,
    actor: Any,
    district: Area,
    fiscal_year_be: int,
    opens_on: date | None = None,
    closes_on: date | None = None,
    note: str = "",
) -> SurveyRound:
    """Open a district's survey round for a fiscal year (BE); dates default to the year's."""
    if district.kind.code != "district":
        raise ValidationError(
            {"district": _("A survey round belongs to a district office.")}, code="not_district"
        )
    try:
        start, end = fiscal_year_bounds(int(fiscal_year_be))
    except (ValidationError, TypeError, ValueError) as exc:
        raise ValidationError(
            {
                "fiscal_year": _("%(year)s is not a fiscal year (e.g. 2569).")
                % {"year": fiscal_year_be}
            },
            code="fiscal_year",
        ) from exc
    opens_on = opens_on or start
    closes_on = closes_on or end
    errors = {}
    if not start <= opens_on <= end:
        errors["opens_on"] = _(
            "The round must open within fiscal year %(year)s (%(start)s to %(end)s)."
        )
    if not start <= closes_on <= end:
        errors["closes_on"] = _(
            "The round must close within fiscal year %(year)s (%(start)s to %(end)s)."
        )
    if closes_on < opens_on:
        errors["closes_on"] = _("The round cannot close before it opens.")
    if errors:
        params = {"year": fiscal_year_be, "start": format_date(start), "end": format_date(end)}
        raise ValidationError({k: v % params if "%(" in v else v for k, v in errors.items()})
    if SurveyRound.objects.filter(area=district, fiscal_year=fiscal_year_be).exists():
        raise ValidationError(
            {
                "fiscal_year": _(
                    "%(district)s already has a survey round for fiscal year %(year)s."
                )
                % {"district": district.name, "year": fiscal_year_be}
            },
            code="duplicate",
        )
    survey_round = SurveyRound(
        area=district,
        fiscal_year=fiscal_year_be,
        opens_on=opens_on,
        closes_on=closes_on,
        note=(note or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    survey_round.full_clean()
    survey_round.save()
    record_event(
        actor=actor,
        action="survey_round.open",
        obj=survey_round,
        changes={"fiscal_year": fiscal_year_be, "opens_on": opens_on, "closes_on": closes_on},
    )
    return survey_round


@transaction.atomic
def survey_round_close(*, actor: Any, survey_round: SurveyRound, reason: str = "") -> SurveyRound:
    """Close a round: no survey can be started, saved or submitted in it any more."""
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if not survey_round.is_open:
        raise ValidationError(_("This survey round is already closed."), code="closed")
    survey_round.status = SurveyRound.Status.CLOSED
    survey_round.closed_at = timezone.now()
    survey_round.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    survey_round.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    record_event(
        actor=actor,
        action="survey_round.close",
        obj=survey_round,
        changes={"status": ["open", "closed"]},
        reason=reason,
    )
    return survey_round


@transaction.atomic
def survey_round_reopen(*, actor: Any, survey_round: SurveyRound, reason: str) -> SurveyRound:
    """Reopen a closed round (late surveys, corrections); the reason is kept."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": _("Say why the round is reopened (at least 10 characters).")},
            code="reason_required",
        )
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if survey_round.is_open:
        raise ValidationError(_("This survey round is already open."), code="open")
    survey_round.status = SurveyRound.Status.OPEN
    survey_round.closed_at = None
    survey_round.closed_by = None
    survey_round.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    record_event(
        actor=actor,
        action="survey_round.reopen",
        obj=survey_round,
        changes={"status": ["closed", "open"]},
        reason=reason,
    )
    return survey_round


def _check_round_open(survey_round: SurveyRound) -> None:
    if not survey_round.is_open:
        raise ValidationError(
            _("The survey round %(round)s is closed: surveys can no longer be changed.")
            % {"round": survey_round},
            code="round_closed",
        )


def round_for(household: Household, on: date) -> SurveyRound | None:
    """The district's round of the fiscal year of `on`, if opened."""
    return round_for_district(household.community.area.parent_id, on)


def round_for_district(district_id: int, on: date) -> SurveyRound | None:
    return SurveyRound.objects.filter(area_id=district_id, fiscal_year=fiscal_year(on)).first()


# --- surveys ------------------------------------------------------------------------------------


def _check_survey_date(survey_round: SurveyRound, surveyed_on: date) -> None:
    if surveyed_on > _today():
        raise ValidationError(
            {
                "surveyed_on": _("The survey date %(date)s is in the future.")
                % {"date": format_date(surveyed_on)}
            },
            code="future",
        )
    if not survey_round.opens_on <= surveyed_on <= survey_round.closes_on:
        raise ValidationError(
            {
                "surveyed_on": _(
                    "The survey date %(date)s is outside the round (%(start)s to %(end)s)."
                )
                % {
                    "date": format_date(surveyed_on),
                    "start": format_date(survey_round.opens_on),
                    "end": format_date(survey_round.closes_on),
                }
            },
            code="outside_round",
        )


def _previous_survey(household: Household, before_year: int) -> Survey | None:
    return (
        Survey.objects.filter(
            household=household,
            status=Survey.Status.SUBMITTED,
            round__fiscal_year__lt=before_year,
        )
        .order_by("-round__fiscal_year")
        .first()
    )


def _prefill_members(survey: Survey, household: Household, previous: Survey | None) -> None:
    """Members from the registry (alive, in this house), with last year's answers if any."""
    earlier = {}
    if previous is not None:
        earlier = {m.person_id: m for m in previous.members.all() if m.person_id}
    people = Person.objects.filter(household=household, status=Person.Status.ALIVE).order_by(
        "birth_date", "id"
    )
    rows = []
    for position, person in enumerate(people, start=1):
        member = SurveyMember(
            survey=survey,
            person=person,
            name=person.full_name,
            position=position,
            has_disability=person.has_disability,
        )
        last = earlier.get(person.pk)
        if last is not None:
            for name in (
                "occupation",
                "income_year",
                "education",
                "reads_thai",
                "health_insurance",
            ):
                setattr(member, name, getattr(last, name))
        rows.append(member)
    SurveyMember.objects.bulk_create(rows)


def start_problem(
    household: Household, survey_round: SurveyRound | None, on: date
) -> ValidationError | None:
    """Why no survey of `household` can be started in `survey_round` (its district's round of
    the fiscal year of `on`), or None: the household page shows it, `survey_start` raises it."""
    if survey_round is None:
        return ValidationError(
            {
                "surveyed_on": _(
                    "No survey round is open for fiscal year %(year)s in this district: "
                    "the district office opens it first."
                )
                % {"year": fiscal_year(on)}
            },
            code="no_round",
        )
    if survey_round.area_id != household.community.area.parent_id:
        return ValidationError(
            _("This household is not in the district of the survey round."), code="other_district"
        )
    try:
        _check_round_open(survey_round)
    except ValidationError as exc:
        return exc
    if household.community.status == Community.Status.DISSOLVED or not household.is_active:
        return ValidationError(
            _(
                "House %(no)s is no longer active (or its community was dissolved): it is not surveyed."
            )
            % {"no": household.house_no},
            code="inactive",
        )
    return None


@transaction.atomic
def survey_start(
    *,
    actor: Any,
    household: Household,
    surveyed_on: date | None = None,
    survey_round: SurveyRound | None = None,
) -> Survey:
    """Start a draft survey of a household in its district's round; members come from the
    registry and the answers from the household's previous survey (to confirm or correct)."""
    surveyed_on = surveyed_on or _today()
    household = Household.objects.select_related("community__area").get(pk=household.pk)
    if survey_round is None:
        survey_round = round_for(household, surveyed_on)
    else:
        survey_round = SurveyRound.objects.select_related("area").get(pk=survey_round.pk)
    problem = start_problem(household, survey_round, surveyed_on)
    if problem is not None:
        raise problem
    _check_survey_date(survey_round, surveyed_on)
    existing = Survey.objects.filter(round=survey_round, household=household).first()
    if existing is not None:
        raise ValidationError(
            _("House %(no)s already has a survey in this round (%(status)s).")
            % {"no": household.house_no, "status": existing.get_status_display()},
            code="duplicate",
        )
    previous = _previous_survey(household, survey_round.fiscal_year)
    survey = Survey(
        round=survey_round,
        household=household,
        area=household.community.area,
        surveyed_on=surveyed_on,
        surveyor=actor if getattr(actor, "is_authenticated", False) else None,
        surveyor_name=_user_name(actor),
        tenure=household.tenure,
        housing_condition=household.condition,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if previous is not None:
        for name in (
            "drinking_water_enough",
            "water_source",
            "electricity",
            "waste",
            "welfare_received",
        ):
            setattr(survey, name, getattr(previous, name))
    survey.full_clean()
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError as exc:  # a parallel start of the same household
        raise ValidationError(
            _("House %(no)s already has a survey in this round.") % {"no": household.house_no},
            code="duplicate",
        ) from exc
    _prefill_members(survey, household, previous)
    record_event(actor=actor, action="survey.start", obj=survey, area_path=survey.area.path)
    return survey


def _user_name(actor: Any) -> str:
    if not getattr(actor, "is_authenticated", False):
        return ""
    # the user's display name (as everywhere in the UI), else full name, else username
    return str(actor)[:200]


def _money(value: Any, field: str, errors: dict[str, list[str]], label: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(
            _("%(label)s: enter an amount in baht, e.g. 1500.50") % {"label": label}
        )
        return None
    if domain.baht_problem(amount):
        errors.setdefault(field, []).append(
            _("%(label)s: enter an amount in baht from 0, with at most 2 decimals.")
            % {"label": label}
        )
        return None
    return amount


def _check_choice(
    value: Any, choices: Sequence[tuple[str, Any]], field: str, label: str, errors: dict
) -> str:
    text = "" if value is None else str(value).strip()
    if text and text not in {code for code, _l in choices}:
        errors.setdefault(field, []).append(
            _("%(label)s: %(value)s is not one of the choices.") % {"label": label, "value": text}
        )
        return ""
    return text


def _bool_or_none(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "y", "on", "ใช่", "มี"):
        return True
    if text in ("false", "0", "no", "n", "off", "ไม่ใช่", "ไม่มี", "ไม่"):
        return False
    raise ValueError(text)


def _clean_answers(answers: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    unknown = set(answers) - set(HOUSEHOLD_ANSWERS)
    for name in sorted(unknown):
        errors.setdefault(name, []).append(
            _("%(field)s is not a survey question.") % {"field": name}
        )
    meta = {f.name: f for f in Survey._meta.get_fields() if hasattr(f, "verbose_name")}
    cleaned: dict[str, Any] = {}
    for name, value in answers.items():
        if name in unknown:
            continue
        label = str(meta[name].verbose_name)
        if name in (
            "other_income_year",
            "expenses_month",
            "debt_formal",
            "debt_informal",
            "savings",
        ):
            amount = _money(value, name, errors, label)
            cleaned[name] = (
                amount if amount is not None or name != "other_income_year" else Decimal("0")
            )
        elif name == "drinking_water_enough":
            try:
                cleaned[name] = _bool_or_none(value)
            except ValueError:
                errors.setdefault(name, []).append(
                    _("%(label)s: answer yes or no.") % {"label": label}
                )
        elif name == "welfare_received":
            if value is None:
                value = []
            if not isinstance(value, list | tuple):
                errors.setdefault(name, []).append(
                    _("%(label)s: give a list of choices.") % {"label": label}
                )
                continue
            codes = [str(v).strip() for v in value if str(v).strip()]
            bad = [c for c in codes if c not in WELFARE_CODES]
            if bad:
                errors.setdefault(name, []).append(
                    _("%(label)s: %(value)s is not one of the choices.")
                    % {"label": label, "value": ", ".join(bad)}
                )
            cleaned[name] = sorted(set(codes) - set(bad))
        elif name in ("tenure", "housing_condition", "water_source", "electricity", "waste"):
            cleaned[name] = _check_choice(value, meta[name].choices, name, label, errors)
        else:
            cleaned[name] = ("" if value is None else str(value)).strip()
    return cleaned


def _clean_members(
    survey: Survey, members: Sequence[Mapping[str, Any]], errors: dict[str, list[str]]
) -> list[SurveyMember]:
    allowed_people = {p.pk: p for p in Person.objects.filter(household=survey.household_id)}
    meta = {f.name: f for f in SurveyMember._meta.get_fields() if hasattr(f, "verbose_name")}
    rows: list[SurveyMember] = []
    seen: set[int] = set()
    for position, data in enumerate(members, start=1):
        where = _("member %(n)s") % {"n": position}
        field = f"members.{position}"
        unknown = set(data) - {*MEMBER_ANSWERS, "person", "person_id"}
        for name in sorted(unknown):
            errors.setdefault(field, []).append(
                _("%(where)s: %(field)s is not a survey question.")
                % {"where": where, "field": name}
            )
        person_id = data.get("person_id", data.get("person"))
        person = None
        if isinstance(person_id, Person):
            person_id = person_id.pk
        if person_id not in (None, ""):
            try:
                person = allowed_people.get(int(person_id))
            except (TypeError, ValueError):
                person = None
            if person is None:
                errors.setdefault(field, []).append(
                    _("%(where)s: the person is not in this household's registry.")
                    % {"where": where}
                )
            elif person.pk in seen:
                errors.setdefault(field, []).append(
                    _("%(where)s: %(name)s is listed twice.")
                    % {"where": where, "name": person.full_name}
                )
            else:
                seen.add(person.pk)
        member = SurveyMember(survey=survey, person=person, position=position)
        name = ("" if data.get("name") is None else str(data.get("name"))).strip()
        member.name = name or (person.full_name if person else "")
        if person is None and not member.name:
            errors.setdefault(field, []).append(_("%(where)s: give the name.") % {"where": where})
        age = data.get("age")
        if age not in (None, ""):
            try:
                member.age = int(str(age).strip())
                if not 0 <= member.age <= 130:
                    raise ValueError
            except (TypeError, ValueError):
                errors.setdefault(field, []).append(
                    _("%(where)s: age must be a whole number of years from 0 to 130.")
                    % {"where": where}
                )
                member.age = None
        income = _money(
            data.get("income_year"), field, errors, f"{where}: {meta['income_year'].verbose_name}"
        )
        member.income_year = income if income is not None else Decimal("0")
        for choice_field in ("occupation", "education", "health_insurance"):
            setattr(
                member,
                choice_field,
                _check_choice(
                    data.get(choice_field),
                    meta[choice_field].choices,
                    field,
                    f"{where}: {meta[choice_field].verbose_name}",
                    errors,
                ),
            )
        for flag in ("in_school", "reads_thai", "has_disability"):
            try:
                value = _bool_or_none(data.get(flag))
            except ValueError:
                errors.setdefault(field, []).append(
                    _("%(label)s: answer yes or no.")
                    % {"label": f"{where}: {meta[flag].verbose_name}"}
                )
                value = None
            if flag == "has_disability":
                value = bool(value) or bool(person and person.has_disability)
            setattr(member, flag, value)
        if person is not None:
            member.person = person
        rows.append(member)
    return rows


def _locked_draft(survey: Survey) -> Survey:
    survey = (
        Survey.objects.select_for_update().select_related("round", "household").get(pk=survey.pk)
    )
    _check_round_open(survey.round)
    if survey.is_submitted:
        raise ValidationError(
            _("This survey was submitted: reopen it to change the answers."), code="submitted"
        )
    return survey


@transaction.atomic
def survey_save(
    *,
    actor: Any,
    survey: Survey,
    answers: Mapping[str, Any] | None = None,
    members: Sequence[Mapping[str, Any]] | None = None,
    surveyed_on: date | None = None,
) -> Survey:
    """Save a draft's answers (any subset; `members`, when given, replaces the member list).
    Nothing is saved if any answer is invalid; the error names the question and the member."""
    survey = _locked_draft(survey)
    errors: dict[str, list[str]] = {}
    cleaned = _clean_answers(answers or {}, errors)
    rows = _clean_members(survey, members, errors) if members is not None else None
    if surveyed_on is not None and surveyed_on != survey.surveyed_on:
        try:
            _check_survey_date(survey.round, surveyed_on)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    for name, value in cleaned.items():
        setattr(survey, name, value)
    if surveyed_on is not None:
        survey.surveyed_on = surveyed_on
    survey.full_clean()
    survey.save()
    if rows is not None:
        survey.members.all().delete()
        SurveyMember.objects.bulk_create(rows)
    return survey


def _completeness_errors(survey: Survey, members: Sequence[SurveyMember]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    meta = {f.name: f for f in Survey._meta.get_fields() if hasattr(f, "verbose_name")}
    for name in REQUIRED_ANSWERS:
        value = getattr(survey, name)
        if value is None or value == "":
            errors.setdefault(name, []).append(
                _("%(label)s: this question must be answered before submitting.")
                % {"label": meta[name].verbose_name}
            )
    if not members:
        errors.setdefault("members", []).append(
            _("List at least one member of the household before submitting.")
        )
    ages = ages_on(survey.surveyed_on)
    school = (ages[domain.PARAM_SCHOOL_AGE_FROM], ages[domain.PARAM_SCHOOL_AGE_TO])
    for m in members:
        where = _("member %(n)s (%(name)s)") % {"n": m.position, "name": m.name}
        field = f"members.{m.position}"
        missing = []
        age = member_age(m, survey.surveyed_on)
        if age is None:
            missing.append(_("age"))
        if not m.occupation:
            missing.append(_("occupation"))
        if not m.education:
            missing.append(_("education"))
        if not m.health_insurance:
            missing.append(_("health insurance"))
        if age is not None and school[0] <= age <= school[1] and m.in_school is None:
            missing.append(_("in school now"))
        if age is not None and age >= ages[domain.PARAM_WORKING_AGE_FROM] and m.reads_thai is None:
            missing.append(_("reads and writes Thai"))
        if missing:
            errors.setdefault(field, []).append(
                _("%(where)s: answer %(questions)s before submitting.")
                % {"where": where, "questions": ", ".join(str(q) for q in missing)}
            )
    return errors


def _apply_classification(
    survey: Survey,
    result: domain.Classification,
    members: Sequence[SurveyMember],
    cache: dict[date, RulesOnDay] | None = None,
) -> None:
    ages = rules_context(survey.surveyed_on, cache)[2]
    measures = domain.compute_measures(survey_facts(survey, members), ages)
    survey.is_poor = result.is_poor
    survey.income_per_person_year = measures["income_per_person_year"]
    for code in domain.DIMENSION_CODES:
        setattr(survey, f"deprived_{code}", result.deprived[code])
    survey.deprivation_count = result.deprivation_count
    survey.reasons = result.reasons
    survey.classified_at = timezone.now()


CLASSIFICATION_FIELDS = [
    "is_poor",
    "income_per_person_year",
    *[f"deprived_{code}" for code in domain.DIMENSION_CODES],
    "deprivation_count",
    "reasons",
    "classified_at",
]


def _refresh_household_poverty(actor: Any, household: Household) -> None:
    """The household's survey status follows its latest submitted survey."""
    latest = (
        Survey.objects.filter(household=household, status=Survey.Status.SUBMITTED)
        .order_by("-round__fiscal_year", "-surveyed_on", "-id")
        .first()
    )
    poor = latest.is_poor if latest else None
    on = latest.surveyed_on if latest else None
    household = Household.objects.get(pk=household.pk)
    if household.survey_poor == poor and household.survey_poor_on == on:
        return
    before = [household.survey_poor, household.survey_poor_on]
    household.survey_poor = poor
    household.survey_poor_on = on
    household.save(update_fields=["survey_poor", "survey_poor_on", "updated_at"])
    record_event(
        actor=actor,
        action="household.survey_poverty",
        obj=household,
        changes={"survey_poor": [before[0], poor], "survey_poor_on": [before[1], on]},
    )


@transaction.atomic
def survey_submit(*, actor: Any, survey: Survey) -> Survey:
    """Submit a complete draft: classify it with the rules and parameters of its date, store the
    classification, and update the household's poverty status."""
    survey = _locked_draft(survey)
    members = list(survey.members.select_related("person"))
    errors = _completeness_errors(survey, members)
    if errors:
        raise ValidationError(errors)
    result = classify_facts(survey_facts(survey, members), survey.surveyed_on)
    _apply_classification(survey, result, members)
    survey.status = Survey.Status.SUBMITTED
    survey.submitted_at = timezone.now()
    survey.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    survey.save()
    _refresh_household_poverty(actor, survey.household)
    record_event(
        actor=actor,
        action="survey.submit",
        obj=survey,
        changes={
            "is_poor": survey.is_poor,
            "deprived": survey.deprived_dimensions(),
        },
        area_path=survey.area.path,
    )
    return survey


@transaction.atomic
def survey_reopen(*, actor: Any, survey: Survey, reason: str) -> Survey:
    """Return a submitted survey to draft (a correction); its classification is withdrawn until
    it is submitted again. The reason is kept."""
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": _("Say why the survey is reopened (at least 10 characters).")},
            code="reason_required",
        )
    survey = (
        Survey.objects.select_for_update().select_related("round", "household").get(pk=survey.pk)
    )
    _check_round_open(survey.round)
    if not survey.is_submitted:
        raise ValidationError(_("This survey is still a draft."), code="draft")
    survey.status = Survey.Status.DRAFT
    survey.is_poor = None
    survey.income_per_person_year = None
    for code in domain.DIMENSION_CODES:
        setattr(survey, f"deprived_{code}", False)
    survey.deprivation_count = 0
    survey.reasons = []
    survey.classified_at = None
    survey.submitted_at = None
    survey.submitted_by = None
    survey.save()
    _refresh_household_poverty(actor, survey.household)
    record_event(
        actor=actor, action="survey.reopen", obj=survey, reason=reason, area_path=survey.area.path
    )
    return survey


@transaction.atomic
def survey_round_reclassify(*, actor: Any, survey_round: SurveyRound, reason: str = "") -> int:
    """Classify the round's submitted surveys again (after a rule or parameter was corrected);
    returns how many changed. Each survey keeps its own date's rules and parameters."""
    changed = 0
    cache: dict[date, RulesOnDay] = {}
    surveys = (
        Survey.objects.select_for_update(of=("self",))
        .filter(round=survey_round, status=Survey.Status.SUBMITTED)
        .select_related("household")
        .prefetch_related(
            Prefetch("members", queryset=SurveyMember.objects.select_related("person"))
        )
    )
    for survey in surveys:
        members = list(survey.members.all())
        before = (survey.is_poor, survey.deprived_dimensions(), survey.reasons)
        result = classify_facts(survey_facts(survey, members), survey.surveyed_on, cache)
        _apply_classification(survey, result, members, cache)
        if (survey.is_poor, survey.deprived_dimensions(), survey.reasons) == before:
            continue
        survey.save(update_fields=[*CLASSIFICATION_FIELDS, "updated_at"])
        _refresh_household_poverty(actor, survey.household)
        changed += 1
    record_event(
        actor=actor,
        action="survey_round.reclassify",
        obj=survey_round,
        changes={"changed": changed},
        reason=reason,
    )
    return changed
