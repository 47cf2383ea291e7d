"""The registry's server-rendered pages (communities, households, people)."""

from .communities import (
    CommunityCreateView,
    CommunityDetailView,
    CommunityDissolveView,
    CommunityEditView,
    CommunityHistoryView,
    CommunityListView,
)
from .households import (
    HouseholdCreateView,
    HouseholdDetailView,
    HouseholdEditView,
    HouseholdMoveView,
    HouseholdPovertyView,
)
from .people import (
    PersonCreateView,
    PersonDetailView,
    PersonEditView,
    PersonMoveView,
    PersonQuickRegisterView,
    PersonRevealView,
    PersonStatusView,
    PersonSubjectReportView,
)
from .search import RegistrySearchView

__all__ = [
    "CommunityCreateView",
    "CommunityDetailView",
    "CommunityDissolveView",
    "CommunityEditView",
    "CommunityHistoryView",
    "CommunityListView",
    "HouseholdCreateView",
    "HouseholdDetailView",
    "HouseholdEditView",
    "HouseholdMoveView",
    "HouseholdPovertyView",
    "PersonCreateView",
    "PersonDetailView",
    "PersonEditView",
    "PersonMoveView",
    "PersonQuickRegisterView",
    "PersonRevealView",
    "PersonStatusView",
    "PersonSubjectReportView",
    "RegistrySearchView",
]
