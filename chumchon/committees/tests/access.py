"""The committees module's URLs in the access matrix: election API (access_elections.py),
election pages (access_election_pages.py), committees and terms (access_committee.py), seat
policies and documents (access_policy.py)."""

from .access_committee import ACCESS as COMMITTEE_ACCESS
from .access_election_pages import ACCESS as ELECTION_PAGE_ACCESS
from .access_elections import ACCESS as ELECTION_ACCESS
from .access_policy import ACCESS as POLICY_ACCESS

ACCESS = {**ELECTION_ACCESS, **ELECTION_PAGE_ACCESS, **COMMITTEE_ACCESS, **POLICY_ACCESS}
