"""The community list and page lead to import and export by permission; exports follow the
list's "as of" date."""

from datetime import date

import pytest

from chumchon.communities import services
from chumchon.communities.tests.factories import community_for_area, make_community

pytestmark = pytest.mark.django_db


def test_officer_sees_import_and_both_export_formats_committee_sees_no_import(clients):
    html = clients["district_officer"].get("/communities/").content.decode()
    assert 'href="/imports/"' in html
    assert "format=xlsx" in html and "format=csv" in html
    committee = clients["committee_member"].get("/communities/").content.decode()
    assert 'href="/imports/"' not in committee


def test_community_page_offers_people_export_only_with_personal_export(clients, communities):
    community = community_for_area(communities["T-1001-01"])
    officer = clients["district_officer"].get(f"/communities/{community.pk}/").content.decode()
    assert f"/people/export/?community={community.pk}&amp;format=xlsx" in officer
    zone = clients["zone_officer"].get(f"/communities/{community.pk}/").content.decode()
    assert "/people/export/" not in zone
    assert f"/households/export/?community={community.pk}&amp;format=xlsx" in zone


def test_community_export_as_of_a_date_leaves_out_communities_dissolved_by_then(clients):
    gone = make_community("HC-GONE", announced_on=date(2000, 1, 1))
    make_community("HC-KEPT", announced_on=date(2000, 1, 1))
    services.community_dissolve(
        actor=None,
        community=gone,
        dissolved_on=date(2024, 1, 1),
        announcement_no="1/2567",
        reason="ยุบ",
    )
    officer = clients["district_officer"]
    before = officer.get("/communities/export/?format=csv&on=2023-06-01").content.decode()
    after = officer.get("/communities/export/?format=csv&on=01/06/2567").content.decode()
    assert "HC-GONE" in before and "HC-KEPT" in before
    assert "HC-GONE" not in after and "HC-KEPT" in after
    assert officer.get("/communities/export/?format=csv&on=nonsense").status_code == 400
