"""Official documents of committee elections, rendered through core.documents (Thai, Laksaman,
BE dates):

- the announcement of results (ประกาศผลการเลือกตั้งกรรมการชุมชน) of a certified election, with
  the district office's running document number: taken the first time it is printed (dated
  the day of certification) and stored on `Election.document_no`, so later prints show the
  same number;
- the voter signing sheet (บัญชีรายชื่อผู้มีสิทธิเลือกตั้ง): order, name, house number and a
  column for the signature; no national ID numbers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chumchon.core.audit import record_event
from chumchon.core.dates import THAI_MONTHS, be_year
from chumchon.core.documents import BANGKOK, next_document_number, render_pdf

from .models import Candidate, Election
from .selectors_elections import election_ranking, eligible_voters

#: Bangkok's abbreviation on official letters; an office's code is "กท" + its area code
ISSUER_PREFIX = "กท"
THAI_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")


class DocumentNotReady(Exception):
    """The election is not in a state the document can be printed in (answered 409)."""


def thai_date_words(day: date) -> str:
    """The date as an announcement writes it: "วันอาทิตย์ที่ 7 มิถุนายน พ.ศ. 2569"."""
    return (
        f"วัน{THAI_WEEKDAYS[day.weekday()]}ที่ {day.day} {THAI_MONTHS[day.month - 1]} "
        f"พ.ศ. {be_year(day)}"
    )


def community_title(election: Election) -> str:
    """The community as documents name it: "ชุมชนท่าวัง" (the prefix added when missing)."""
    name = election.community.area.name_th.strip()
    return name if name.startswith("ชุมชน") else f"ชุมชน{name}"


def district_of(election: Election):
    return election.community.area.parent


def issuer_code(election: Election) -> str:
    """The issuing office: the community's district office, "กท 1001"."""
    district = district_of(election)
    return f"{ISSUER_PREFIX} {district.code}" if district is not None else ISSUER_PREFIX


def announcement_day(election: Election) -> date:
    """The announcement is dated the day the result was certified (Bangkok time)."""
    if election.certified_at is not None:
        return election.certified_at.astimezone(BANGKOK).date()
    return timezone.localdate()


def ensure_document_number(*, actor: Any, election: Election) -> str:
    """The announcement's running number: taken once (the district office's series of the BE
    year of certification) and stored on the election; later prints reuse it."""
    if election.document_no:
        return election.document_no
    with transaction.atomic():
        locked = Election.objects.select_for_update(of=("self",)).get(pk=election.pk)
        if not locked.document_no:
            _number, text = next_document_number(
                issuer_code=issuer_code(locked), on=announcement_day(election)
            )
            locked.document_no = text
            locked.save(update_fields=["document_no", "updated_at"])
            record_event(
                actor=actor,
                action="committees.announcement_number",
                obj=locked,
                changes={"document_no": [None, text]},
            )
        election.document_no = locked.document_no
    return election.document_no


def _counts(election: Election) -> dict[str, Any] | None:
    if election.unopposed or election.ballots_cast is None:
        return None
    eligible = election.eligible_voters or 0
    return {
        "eligible": eligible,
        "issued": election.ballots_issued or 0,
        "cast": election.ballots_cast,
        "spoiled": election.ballots_spoiled or 0,
        "blank": election.ballots_blank or 0,
        "valid": election.valid_ballots,
        "turnout": election.turnout,
    }


def announcement_context(election: Election) -> dict[str, Any]:
    ranking = [c for c in election_ranking(election) if c.withdrawn_on is None]
    elected = [c for c in ranking if c.outcome == Candidate.Outcome.ELECTED]
    reserve = [c for c in ranking if c.outcome == Candidate.Outcome.RESERVE]
    district = district_of(election)
    term = getattr(election, "started_term", None)
    return {
        "election": election,
        "community": election.community,
        "community_name": community_title(election),
        "district_name": district.name_th if district is not None else "",
        "document_number": election.document_no,
        "held_on_words": thai_date_words(election.held_on),
        "announced_on": announcement_day(election),
        "counts": _counts(election),
        "elected": elected,
        "reserve": reserve,
        "vacant": max(0, election.seats - len(elected)),
        "term": term,
        "policy": election.policy,
    }


def announcement_pdf(*, actor: Any, election: Election) -> bytes:
    if election.status != Election.Status.CERTIFIED:
        raise DocumentNotReady(
            _(
                "The announcement of results is printed once the result is certified; this "
                "election is: %(status)s."
            )
            % {"status": election.get_status_display()}
        )
    ensure_document_number(actor=actor, election=election)
    return render_pdf("documents/committee_announcement.html", announcement_context(election))


def voters_context(election: Election) -> dict[str, Any]:
    voters = list(eligible_voters(election).select_related("household"))
    district = district_of(election)
    return {
        "election": election,
        "community_name": community_title(election),
        "district_name": district.name_th if district is not None else "",
        "held_on_words": thai_date_words(election.held_on),
        "voters": voters,
    }


def voters_pdf(election: Election) -> bytes:
    if election.status == Election.Status.CANCELLED:
        raise DocumentNotReady(_("This election was cancelled: there is no voter list to sign."))
    return render_pdf("documents/committee_voters.html", voters_context(election))
