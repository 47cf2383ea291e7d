"""The registry's URLs in the access matrix: pages (access_pages.py), API (access_api.py),
imports and exports (access_imports.py), household surveys (access_surveys.py: surveys;
access_survey_rounds.py: rounds and reports; access_survey_imports.py: survey import/export)."""

from .access_api import ACCESS as API_ACCESS
from .access_imports import ACCESS as IMPORT_ACCESS
from .access_pages import ACCESS as PAGE_ACCESS
from .access_survey_imports import ACCESS as SURVEY_IMPORT_ACCESS
from .access_survey_rounds import ACCESS as ROUND_ACCESS
from .access_survey_rules import ACCESS as RULE_ACCESS
from .access_surveys import ACCESS as SURVEY_ACCESS

ACCESS = {
    **PAGE_ACCESS,
    **API_ACCESS,
    **IMPORT_ACCESS,
    **SURVEY_ACCESS,
    **ROUND_ACCESS,
    **SURVEY_IMPORT_ACCESS,
    **RULE_ACCESS,
}
