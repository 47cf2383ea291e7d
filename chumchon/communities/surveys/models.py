"""Household survey models: rounds (per district and fiscal year), surveys (one per household and
round, draft then submitted), the members' answers, and the classification rules (data).

Loaded by `chumchon.communities.models` (same app, label `communities`). Scoping: a round carries
its district area, a survey its community area, so `accounts.scoping` filters on `area__path`.
The classification is a snapshot taken at submission with the rules and parameters of the survey
date (reports aggregate the snapshot; `survey_round_reclassify` recomputes it on purpose).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from chumchon.communities import models as registry
from chumchon.core.models import TimeStampedModel
from chumchon.organizations.models import Area

from . import domain

MONEY = {"max_digits": 14, "decimal_places": 2}


class SurveyRound(TimeStampedModel):
    """A district's survey round for one fiscal year (BE)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year", "area__code"]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        constraints = [
            models.UniqueConstraint(fields=["area", "fiscal_year"], name="survey_round_unique"),
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_round_ordered"
            ),
        ]

    def __str__(self) -> str:
        return _("Household survey %(year)s, %(district)s") % {
            "year": self.fiscal_year,
            "district": self.area.name,
        }

    @property
    def area_path(self) -> str:
        return self.area.path

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Survey(TimeStampedModel):
    """One household's survey in a round: a draft while being filled in, then submitted.

    Money answers are baht (Decimal, 2 places). `reasons` and the `is_poor`/`deprived_*` columns
    are the classification snapshot of the submission (empty on drafts)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    round = models.ForeignKey(
        SurveyRound, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("round")
    )
    household = models.ForeignKey(
        "communities.Household",
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("household"),
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    surveyed_on = models.DateField(_("survey date"))
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("surveyor (user)"),
    )
    surveyor_name = models.CharField(_("surveyor"), max_length=200, blank=True)
    respondent_name = models.CharField(_("respondent"), max_length=200, blank=True)
    # finances (baht)
    other_income_year = models.DecimalField(
        _("other household income per year (pensions, remittances, aid)"),
        default=0,
        **MONEY,
    )
    expenses_month = models.DecimalField(
        _("household expenses per month"), null=True, blank=True, **MONEY
    )
    debt_formal = models.DecimalField(
        _("debt to banks and cooperatives"), null=True, blank=True, **MONEY
    )
    debt_informal = models.DecimalField(
        _("debt to informal lenders"), null=True, blank=True, **MONEY
    )
    savings = models.DecimalField(_("savings"), null=True, blank=True, **MONEY)
    # housing and utilities
    tenure = models.CharField(
        _("tenure"), max_length=20, choices=registry.Household.Tenure.choices, blank=True
    )
    housing_condition = models.CharField(
        _("housing condition"),
        max_length=20,
        choices=registry.Household.Condition.choices,
        blank=True,
    )
    drinking_water_enough = models.BooleanField(
        _("enough clean drinking water all year"), null=True, blank=True
    )
    water_source = models.CharField(
        _("water source"), max_length=20, choices=domain.WATER_SOURCE_CHOICES, blank=True
    )
    electricity = models.CharField(
        _("electricity"), max_length=20, choices=domain.ELECTRICITY_CHOICES, blank=True
    )
    waste = models.CharField(
        _("waste disposal"), max_length=20, choices=domain.WASTE_CHOICES, blank=True
    )
    welfare_received = models.JSONField(_("welfare already received"), default=list, blank=True)
    needs = models.TextField(_("needs, in the household's own words"), blank=True)
    # classification snapshot (set at submission)
    is_poor = models.BooleanField(_("poor household"), null=True, blank=True)
    income_per_person_year = models.DecimalField(
        _("income per person per year"), null=True, blank=True, **MONEY
    )
    deprived_health = models.BooleanField(default=False)
    deprived_living = models.BooleanField(default=False)
    deprived_education = models.BooleanField(default=False)
    deprived_income = models.BooleanField(default=False)
    deprived_services = models.BooleanField(default=False)
    deprivation_count = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "household__house_no_key", "id"]
        verbose_name = _("household survey")
        verbose_name_plural = _("household surveys")
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="survey_one_per_round"),
        ]
        indexes = [
            models.Index(fields=["round", "status"]),
            models.Index(fields=["household", "status"]),
        ]

    def __str__(self) -> str:
        return _("Survey of house %(no)s (%(year)s)") % {
            "no": self.household.house_no,
            "year": self.round.fiscal_year,
        }

    @property
    def area_path(self) -> str:
        return self.area.path

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    def deprived_dimensions(self) -> list[str]:
        return [code for code in domain.DIMENSION_CODES if getattr(self, f"deprived_{code}")]


class SurveyMember(models.Model):
    """A member's answers in a survey: a registry person (age from the birth date) or someone
    living in the house who is not registered (name and age as told)."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="members", verbose_name=_("survey")
    )
    person = models.ForeignKey(
        "communities.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    age = models.PositiveSmallIntegerField(_("age (years)"), null=True, blank=True)
    occupation = models.CharField(
        _("occupation"), max_length=20, choices=domain.OCCUPATION_CHOICES, blank=True
    )
    income_year = models.DecimalField(_("income per year"), default=0, **MONEY)
    education = models.CharField(
        _("education"), max_length=20, choices=domain.EDUCATION_CHOICES, blank=True
    )
    in_school = models.BooleanField(_("in school now"), null=True, blank=True)
    reads_thai = models.BooleanField(_("reads and writes Thai"), null=True, blank=True)
    health_insurance = models.CharField(
        _("health insurance"), max_length=20, choices=domain.HEALTH_INSURANCE_CHOICES, blank=True
    )
    has_disability = models.BooleanField(_("has a disability"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("surveyed member")
        verbose_name_plural = _("surveyed members")

    def __str__(self) -> str:
        return self.name or str(self.person_id)


def _is_number(text: str) -> bool:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(text.replace(",", "")).is_finite()
    except InvalidOperation:
        return False


class SurveyRuleQuerySet(models.QuerySet):
    def in_force_on(self, day) -> SurveyRuleQuerySet:
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class SurveyRule(models.Model):
    """A classification rule, as data (domain.RuleSpec): poor, or deprived in a dimension, when
    `measure <operator> threshold` holds. The threshold is a dated parameter (`parameter_key`)
    or a literal `value`. A rule changes by ending it and adding another from a date."""

    code = models.SlugField(_("code"), max_length=60)
    target = models.CharField(_("classifies"), max_length=20, choices=domain.TARGET_CHOICES)
    measure = models.CharField(
        _("measure"),
        max_length=60,
        choices=[(code, label) for code, (label, _kind) in domain.MEASURES.items()],
    )
    operator = models.CharField(_("operator"), max_length=10, choices=domain.OPERATORS)
    parameter_key = models.CharField(_("threshold parameter"), max_length=100, blank=True)
    value = models.CharField(_("threshold value"), max_length=200, blank=True)
    reason_th = models.CharField(_("reason (Thai)"), max_length=300)
    reason_en = models.CharField(_("reason (English)"), max_length=300)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = SurveyRuleQuerySet.as_manager()

    class Meta:
        ordering = ["target", "sort_order", "code", "valid_from"]
        verbose_name = _("classification rule")
        verbose_name_plural = _("classification rules")
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="survey_rule_code_from"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="survey_rule_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.target})"

    def clean(self) -> None:
        """A threshold is needed unless the operator is yes/no; a parameter must exist."""
        from django.core.exceptions import ValidationError

        from chumchon.core.models import DatedParameter

        errors = {}
        needs_threshold = self.operator not in ("is_true", "is_false")
        if needs_threshold and not (self.parameter_key or self.value):
            errors["value"] = _("Give a threshold: a value or a dated parameter.")
        if self.parameter_key and self.value:
            errors["value"] = _("Give either a value or a dated parameter, not both.")
        if (
            self.parameter_key
            and not DatedParameter.objects.filter(key=self.parameter_key).exists()
        ):
            errors["parameter_key"] = _(
                "There is no dated parameter %(key)s (see the parameters page)."
            ) % {"key": self.parameter_key}
        kind = domain.MEASURES.get(self.measure, (None, ""))[1]
        comparisons = ("lt", "lte", "gt", "gte")
        if kind == "bool" and self.operator not in ("is_true", "is_false"):
            errors["operator"] = _("A yes/no question takes “is yes” or “is no”.")
        elif kind == "text" and self.operator in (*comparisons, "is_true", "is_false"):
            errors["operator"] = _("An answer chosen from a list takes =, ≠ or “one of”.")
        elif kind in ("number", "money") and self.operator in ("is_true", "is_false"):
            errors["operator"] = _("A number takes <, ≤, >, ≥, = or ≠.")
        if kind in ("number", "money") and self.value and not _is_number(self.value):
            errors["value"] = _("%(value)s is not a number.") % {"value": self.value}
        if self.code and self.valid_from:
            overlapping = SurveyRule.objects.filter(code=self.code).exclude(pk=self.pk)
            overlapping = overlapping.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from)
            )
            if self.valid_to is not None:
                overlapping = overlapping.filter(valid_from__lte=self.valid_to)
            if overlapping.exists():
                errors["valid_from"] = _(
                    "Another period of rule %(code)s covers these dates: end it first."
                ) % {"code": self.code}
        if errors:
            raise ValidationError(errors)

    def spec(self) -> domain.RuleSpec:
        return domain.RuleSpec(
            code=self.code,
            target=self.target,
            measure=self.measure,
            operator=self.operator,
            value=self.value,
            parameter_key=self.parameter_key,
            reason_th=self.reason_th,
            reason_en=self.reason_en,
        )
