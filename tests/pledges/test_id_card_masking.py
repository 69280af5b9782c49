"""Roster ID-card numbers (个人信息保护法: sensitive personal information): masked wherever they
are only read, in full only where the office edits the roster, and then logged; never in a
ledger."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.utils import timezone
from openpyxl import load_workbook

from core.exports import registry
from core.periods import Period
from core.security.models import SecurityEvent
from pledges.models import Pledge, Position
from pledges.personal import mask_id_card
from pledges.services.office import office_staff_grant
from pledges.services.personal import member_id_card_read
from reviews.models import AnnualAssessment
from reviews.services import assessment as assessments
from reviews.services import filing as filing_services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    make_ended_evaluation,
    make_public_review,
    make_review_item,
)

ID = "11010519800101002X"
MASKED = "110105********002X"
READ = SecurityEvent.Action.PERSONAL_DATA_READ


@pytest.fixture
def holder(world):
    return MemberFactory(name="王五", organization=world.branch, id_card=ID)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (ID, MASKED),
        ("110105198001010021", "110105********0021"),
        ("110105800101002", "110105*****1002"),
        ("", ""),
        (None, ""),
        ("1234567", "*******"),
    ],
)
def test_it_keeps_the_first_six_and_the_last_four(value, masked):
    assert mask_id_card(value) == masked


def test_it_masks_through_the_template_filter():
    template = Template("{% load pledge_tags %}{{ n|masked_id_card }}")
    assert template.render(Context({"n": ID})) == MASKED


def test_it_masks_the_number_in_the_admin_list_and_logs_nothing(world, holder, client):
    office_staff_grant(user=world.office)
    client.force_login(world.office)
    body = client.get("/admin/pledges/member/").content.decode()
    assert "王五" in body and MASKED in body
    assert ID not in body
    assert not SecurityEvent.objects.filter(action=READ).exists()


def test_it_shows_the_office_the_full_number_where_it_edits_and_logs_the_reading(
    world, holder, client
):
    office_staff_grant(user=world.office)
    client.force_login(world.office)
    body = client.get(f"/admin/pledges/member/{holder.pk}/change/").content.decode()
    assert f'value="{ID}"' in body
    line = SecurityEvent.objects.get(action=READ)
    assert (line.user_pk, line.object_id, line.org_path) == (
        world.office.pk,
        str(holder.pk),
        world.branch.path,
    )
    assert "王五" in line.object_label and ID not in line.object_label
    assert line.request_path == f"/admin/pledges/member/{holder.pk}/change/"


def test_it_logs_nothing_for_a_member_without_a_number(world, client):
    office_staff_grant(user=world.office)
    client.force_login(world.office)
    member = MemberFactory(name="赵六", organization=world.branch, id_card="")
    assert client.get(f"/admin/pledges/member/{member.pk}/change/").status_code == 200
    assert not SecurityEvent.objects.filter(action=READ).exists()


def test_it_masks_the_number_for_whoever_may_only_read_the_roster(world, holder, client):
    reader = UserFactory(username="reader", is_staff=True)
    Position.objects.create(user=reader, organization=world.town, kind=Position.Kind.OFFICE)
    reader.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(reader)
    response = client.get(f"/admin/pledges/member/{holder.pk}/change/")
    body = response.content.decode()
    assert response.status_code == 200 and "王五" in body
    assert MASKED in body and ID not in body
    assert not SecurityEvent.objects.filter(action=READ).exists()


def test_it_refuses_a_stranger_the_roster_row(world, holder, client):
    client.force_login(world.stranger)
    response = client.get(f"/admin/pledges/member/{holder.pk}/change/")
    assert response.status_code == 302 and ID not in response.content.decode()
    assert not SecurityEvent.objects.filter(action=READ).exists()


def test_it_logs_each_full_reading_through_the_service(world, holder):
    assert member_id_card_read(member=holder, by=world.office) == ID
    assert member_id_card_read(member=holder, by=world.office) == ID
    assert SecurityEvent.objects.filter(action=READ, object_id=str(holder.pk)).count() == 2


def test_it_keeps_the_number_off_the_pages_of_the_book(world, holder, client):
    holder.user = UserFactory(username="wangwu")
    holder.save()
    PledgeFactory(owner_org=world.branch, owner_member=holder, created_by=world.secretary)
    pages = {
        world.secretary: [f"/org/{world.branch.pk}/", f"/org/{world.branch.pk}/entry/"],
        world.office: [f"/org/{world.branch.pk}/", f"/org/{world.town.pk}/"],
        holder.user: ["/me/"],
    }
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert ID not in response.content.decode(), url


@pytest.fixture
def everything_of_the_holder(world, holder):
    """The holder in every ledger: pledges, a review and its item, an evaluation, a grade."""
    year = timezone.localdate().year
    PledgeFactory(
        owner_org=world.branch,
        owner_member=holder,
        status=Pledge.Status.PUBLISHED,
        created_by=world.secretary,
    )
    review = make_public_review(world.branch, reviewer=world.leader, member=holder)
    make_review_item(review)
    make_ended_evaluation(world.branch, by=world.secretary, members=[holder])
    assessments.assessment_record(
        by=world.office,
        year=year,
        organization=world.branch,
        member=holder,
        grade=AnnualAssessment.Grade.GOOD,
    )
    return year


def _kinds() -> list[str]:
    registry.get("pledges")  # loads every app's exports
    return sorted(registry._kinds)


# Ledgers of an organization and a period; the filing package (a zip of them) is checked below.
LEDGERS = [
    "evaluation",
    "grades",
    "inspection_notices",
    "inspection_results",
    "pledges",
    "rectification",
    "reviews",
]
# These count or list organizations, not members.
BY_ORGANIZATION = ("evaluation", "grades", "inspection_notices", "inspection_results")


def test_it_knows_every_ledger_kind():
    # A new ledger is added to LEDGERS (or to the package test), so it is checked too.
    assert _kinds() == sorted([*LEDGERS, filing_services.PACKAGE_KIND])


def _no_number(cells: list[str]) -> bool:
    return not [c for c in cells if ID in c or MASKED in c or "110105" in c]


@pytest.mark.parametrize("kind", LEDGERS)
def test_it_never_writes_the_number_into_a_ledger(
    world, everything_of_the_holder, export_ledger, kind
):
    period = everything_of_the_holder
    if kind.startswith("inspection"):
        period = f"{period}H{1 if timezone.localdate().month <= 6 else 2}"
    exported = export_ledger(world.office, kind, world.town, period)
    cells = [str(c) for row in exported.rows for c in row if c is not None]
    assert kind in BY_ORGANIZATION or any("王五" in c for c in cells)
    assert _no_number(cells)


def test_it_never_writes_the_number_into_a_filing_package(
    world, everything_of_the_holder, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(filing_services, "is_open_for_filing", lambda period, today=None: True)
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        filing = filing_services.filing_submit(
            organization=world.branch,
            period=Period(today.year, half=1 if today.month <= 6 else 2),
            by=world.secretary,
        )
    filing.refresh_from_db()
    with filing.package.open("rb") as f:
        package = zipfile.ZipFile(io.BytesIO(f.read()))
    cells = []
    for name in package.namelist():
        if name.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(package.read(name)), read_only=True)
            cells += [
                str(v)
                for s in book.worksheets
                for r in s.iter_rows(values_only=True)
                for v in r
                if v is not None
            ]
    assert any("王五" in c for c in cells)
    assert _no_number(cells)


def test_it_refuses_the_full_number_to_the_secretary_and_a_stranger(world, holder):
    for user in (world.secretary, world.other_secretary, world.stranger):
        with pytest.raises(PermissionDenied):
            member_id_card_read(member=holder, by=user)
    assert not SecurityEvent.objects.filter(action=READ).exists()


def test_it_gives_the_member_his_own_number_and_logs_it(world):
    own = MemberFactory(name="钱七", organization=world.branch, id_card=ID, user=UserFactory())
    assert member_id_card_read(member=own, by=own.user) == ID
    assert SecurityEvent.objects.filter(action=READ, user_pk=own.user.pk).count() == 1
