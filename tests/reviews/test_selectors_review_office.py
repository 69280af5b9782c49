"""The office's reviews page of its subtree."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pledges.models import Position
from tests.factories import (
    MemberFactory,
    UserFactory,
    make_org,
    make_position,
    org_subject,
    signed_review,
)


def _count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_it_keeps_the_office_page_flat(client):
    counts = []
    for n in (5, 30):
        county = make_org(f"县委O{n}", level="committee")
        office = UserFactory()
        make_position(office, county, Position.Kind.OFFICE)
        for i in range(n):
            branch = make_org(f"支部O{n}-{i}", county)
            leader = UserFactory()
            make_position(leader, branch, Position.Kind.LEADER_CONTACT)
            make_position(UserFactory(), branch, Position.Kind.SECRETARY)
            MemberFactory(name=f"党员O{n}-{i}", organization=branch)
            signed_review(leader, org_subject(branch), mode="random")
        for kind in ("organization", "member"):
            url = reverse("reviews:office", args=[county.pk]) + f"?kind={kind}"
            counts.append((kind, _count(client, office, url)))
    assert counts[0] == counts[2] and counts[1] == counts[3]
