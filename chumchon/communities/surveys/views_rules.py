"""The classification rules as staff read them: which survey answers make a household poor or
deprived in each TPMAP dimension, with the thresholds valid on a chosen date (rules are data;
system administrators change them in the admin, central staff the dated parameters)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.views.generic import TemplateView

from chumchon.accounts.scoping import has_perm_anywhere
from chumchon.core.dates import parse_date
from chumchon.core.params import ParameterMissing, parameter_value

from ..models import SurveyRule
from . import domain


def rules_in_force(day) -> list[dict]:
    """Each target (poor, then the five dimensions) with its rules in force on `day`, the
    measure's label and the threshold's value on that day."""
    english = (get_language() or "th").startswith("en")
    measures = {code: label for code, (label, _kind) in domain.MEASURES.items()}
    operators = dict(domain.OPERATORS)
    groups = {
        code: {"code": code, "label": label, "rules": []} for code, label in domain.TARGET_CHOICES
    }
    for rule in SurveyRule.objects.in_force_on(day):
        threshold = rule.value
        if rule.parameter_key:
            try:
                threshold = parameter_value(rule.parameter_key, day)
            except ParameterMissing:
                threshold = None
        groups[rule.target]["rules"].append(
            {
                "rule": rule,
                "measure": measures.get(rule.measure, rule.measure),
                "operator": operators.get(rule.operator, rule.operator),
                "threshold": threshold,
                "reason": rule.reason_en if english else rule.reason_th,
            }
        )
    return list(groups.values())


class SurveyRuleListView(LoginRequiredMixin, TemplateView):
    template_name = "communities/survey_rule_list.html"

    """Any signed-in user: the criteria are public policy, not personal data."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = timezone.localdate()
        error = ""
        text = (self.request.GET.get("on") or "").strip()
        if text:
            try:
                day = parse_date(text)
            except ValidationError as exc:
                error = " ".join(exc.messages)
        context.update(
            day=day,
            on_text=text,
            date_error=error,
            groups=rules_in_force(day),
            parameters_url_perm=has_perm_anywhere(self.request.user, "parameters.manage"),
        )
        return context
