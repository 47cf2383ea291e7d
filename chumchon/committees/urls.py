"""The committees module's routes: elections (urls_elections.py), committees, terms and the
city-wide status (urls_committee.py), seat policies and official documents (urls_policy.py)."""

from .urls_committee import urlpatterns as committee_urlpatterns
from .urls_elections import urlpatterns as election_urlpatterns
from .urls_policy import urlpatterns as policy_urlpatterns

urlpatterns = [*election_urlpatterns, *committee_urlpatterns, *policy_urlpatterns]
