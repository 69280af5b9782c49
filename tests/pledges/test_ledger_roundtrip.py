"""The office's Excel comes back unchanged (issue 13 §5): every branch of the demo county, its
承诺践诺台账 exported by whoever keeps its book (pledges/ledgers/pledge.py) and uploaded again
through
导入承诺 (pledges/services/pledge_import.py): as exported it changes nothing and says so; with
one content cell edited it changes exactly that field of that pledge and says which."""

import datetime
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from pledges.ledgers import pledge as ledger
from pledges.management.commands.seed_demo import Command
from pledges.models import Organization, Pledge, PledgeEvent, Position
from pledges.rules.pledge_content import PledgeContent
from pledges.services.pledge import pledge_create
from pledges.services.pledge_import import pledges_import
from tests.factories import UserFactory, make_position

YEAR = timezone.localdate().year
EDITABLE = ("kind", "title", "measures", "deadline", "expected_result")
HEADERS = {
    "kind": "承诺类别",
    "title": "承诺事项",
    "measures": "践诺措施",
    "deadline": "完成时限",
    "expected_result": "预期效果",
    "status": "状态",
    "id": "编号",
}
KIND_LABELS = {v: str(label) for v, label in Pledge.Kind.choices}


@pytest.fixture(scope="module")
def _county_once(django_db_setup, django_db_blocker):
    # The demo county, built once for the module (a few seconds) and rolled back after; each
    # test runs in its own savepoint through `db`. Other apps' demo hooks are left out.
    no_hooks = mock.patch.object(Command, "_demo_modules", lambda self: iter(()))
    fast_hash = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hash, no_hooks, transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def county(_county_once, db):
    return Organization.objects.filter(level=Organization.Level.BRANCH)


def keepers(org: Organization) -> list:
    """Who keeps the branch's book: its secretary and the offices above it."""
    offices = Position.objects.filter(
        organization__path__in=org.ancestor_paths(), kind=Position.Kind.OFFICE
    ).select_related("user")
    return [secretary_of(org), *(p.user for p in offices)]


def secretary_of(org: Organization):
    """The branch's secretary; one is appointed for the test where the demo leaves the book to
    the office (which sees only filed pledges, none of which the ledger may edit)."""
    position = Position.objects.filter(organization=org, kind=Position.Kind.SECRETARY).first()
    if position is not None:
        return position.user
    user = UserFactory()
    make_position(user, org, Position.Kind.SECRETARY)
    return user


def export(user, org: Organization) -> bytes:
    out = io.BytesIO()
    ledger.write_pledge_ledger(out, user=user, org=org, period=ledger.Period(YEAR))
    return out.getvalue()


def upload(user, org: Organization, data: bytes, **kwargs):
    file = SimpleUploadedFile("台账.xlsx", data)
    return pledges_import(org=org, by=user, file=file, year=YEAR, **kwargs)


def book_state() -> list[tuple]:
    fields = ("id", "edit_version", "status", *EDITABLE)
    return list(Pledge.objects.order_by("id").values_list(*fields))


def edit_cell(data: bytes, pledge_id: int, key: str, value) -> tuple[bytes, int]:
    """The ledger with one cell of the pledge's row changed; and that row's number."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    header = {cell.value: cell.column for cell in sheet[2]}
    for row in sheet.iter_rows(min_row=3):
        if row[header["编号"] - 1].value == pledge_id:
            row[header[HEADERS[key]] - 1].value = value
            out = io.BytesIO()
            workbook.save(out)
            return out.getvalue(), row[0].row
    raise AssertionError(f"pledge {pledge_id} is not in the ledger")


def edited(pledge: Pledge, key: str):
    """A new value for one content field, as a person would type it in the cell."""
    if key == "kind":
        other = next(v for v in Pledge.Kind.values if v != pledge.kind)
        return KIND_LABELS[other], other
    if key == "deadline":
        day = datetime.date(pledge.year, 12, 30)
        value = day if pledge.deadline != day else day - datetime.timedelta(days=1)
        return value, value
    value = getattr(pledge, key) + "（台账中改过）"
    return value, value


def errors(result) -> str:
    return "\n".join(str(e) for e in result.errors)


def test_it_takes_back_every_demo_branchs_ledger_unchanged(county):
    failures, tried = {}, 0
    general = Organization.objects.filter(level=Organization.Level.GENERAL_BRANCH)
    assert general.exists()  # a 党总支's ledger holds its branches' pledges too
    for org in [*county, *general]:
        for user in keepers(org):
            data = export(user, org)
            before, events = book_state(), PledgeEvent.objects.count()
            result = upload(user, org, data)
            tried += 1
            if not (result.ok and result.is_ledger and result.changes_nothing):
                failures[(org.name, user.username)] = errors(result)[:300]
            elif result.unchanged != result.rows:
                failures[(org.name, user.username)] = f"{result.unchanged} of {result.rows}"
            assert book_state() == before
            assert PledgeEvent.objects.count() == events
    assert failures == {}
    assert tried >= county.count()


def test_it_reads_the_ledger_of_a_branch_with_party_groups(county):
    shimen = county.get(name="石门村党支部")
    secretary = secretary_of(shimen)
    data = export(secretary, shimen)
    groups = Pledge.objects.filter(owner_org__level=Organization.Level.GROUP, year=YEAR)
    assert groups.filter(owner_org__path__startswith=shimen.path).exists()
    result = upload(secretary, shimen, data)
    assert result.ok, errors(result)
    assert result.unchanged == ledger.ledger_rows(secretary, shimen, YEAR).count()


def test_it_tells_a_carried_over_pledge_from_the_old_one_of_the_same_title(county):
    # The demo's 再承诺 of this year carry on from pledges of this year, under the same title.
    carried = (
        Pledge.objects.filter(year=YEAR, carried_from__year=YEAR, status="draft")
        .select_related("owner_org", "carried_from")
        .first()
    )
    ended = carried.carried_from
    assert carried.title == ended.title
    org = county.get(pk=carried.owner_org_id)
    user = secretary_of(org)
    data, number = edit_cell(export(user, org), carried.pk, "measures", "新的措施")
    result = upload(user, org, data)
    assert result.ok, errors(result)
    assert [(n, p.pk, f) for n, p, f in result.updated] == [(number, carried.pk, ["践诺措施"])]
    carried.refresh_from_db()
    old_measures = ended.measures
    ended.refresh_from_db()
    assert (carried.measures, ended.measures) == ("新的措施", old_measures)


def _editable_pledge(org: Organization, user) -> Pledge:
    """A pledge of the branch its book keeper may still edit (a draft or a returned one);
    one is added where the demo has none."""
    found = (
        Pledge.objects.filter(
            owner_org__path__startswith=org.path,
            year=YEAR,
            status__in=Pledge.EDITABLE_STATUSES,
        )
        .order_by("id")
        .first()
    )
    if found is not None and ledger.ledger_rows(user, org, YEAR).filter(id=found.pk).exists():
        return found
    return pledge_create(
        by=user,
        owner_org=org,
        content=PledgeContent(
            kind=Pledge.Kind.SERVICE,
            title="台账往返用的承诺",
            measures="每月走访",
            deadline=datetime.date(YEAR, 11, 30),
            expected_result="群众满意",
        ),
        year=YEAR,
    )


def test_it_changes_exactly_the_edited_cell_of_each_editable_column(county):
    failures, tried = {}, 0
    for org in county:
        user = secretary_of(org)
        pledge = _editable_pledge(org, user)
        data = export(user, org)
        for key in EDITABLE:
            typed, stored = edited(pledge, key)
            changed, number = edit_cell(data, pledge.pk, key, typed)
            before = {row[0]: row for row in book_state()}
            with transaction.atomic():
                result = upload(user, org, changed)
                after = {row[0]: row for row in book_state()}
                transaction.set_rollback(True)
            tried += 1
            label = str(Pledge._meta.get_field(key).verbose_name)
            if not result.ok or [(n, p.pk, f) for n, p, f in result.updated] != [
                (number, pledge.pk, [label])
            ]:
                failures[(org.name, key)] = errors(result)[:300] or result.updated
                continue
            index = ("id", "edit_version", "status", *EDITABLE).index(key)
            expected = list(before[pledge.pk])
            expected[index], expected[1] = stored, expected[1] + 1
            if after[pledge.pk] != tuple(expected):
                failures[(org.name, key)] = (before[pledge.pk], after[pledge.pk])
            if {k: v for k, v in after.items() if k != pledge.pk} != {
                k: v for k, v in before.items() if k != pledge.pk
            }:
                failures[(org.name, key, "others")] = "another pledge changed"
    assert failures == {}
    assert tried == county.count() * len(EDITABLE)


def test_it_says_what_it_changed_and_records_it(county):
    org = county.get(name="东街社区党支部")
    user = secretary_of(org)
    pledge = _editable_pledge(org, user)
    data, number = edit_cell(export(user, org), pledge.pk, "measures", "换一种做法")
    checked = upload(user, org, data, check_only=True)
    assert checked.ok and not checked.changes_nothing
    assert [(n, f) for n, _p, f in checked.updated] == [(number, ["践诺措施"])]
    pledge.refresh_from_db()
    assert pledge.measures != "换一种做法"
    result = upload(user, org, data)
    assert [(n, f) for n, _p, f in result.updated] == [(number, ["践诺措施"])]
    event = PledgeEvent.objects.filter(pledge=pledge).order_by("-id").first()
    assert (event.action, event.actor, list(event.changes)) == ("edit", user, ["measures"])
    # The same file again: nothing left to change.
    again = upload(user, org, data)
    assert again.ok and again.changes_nothing, errors(again)
    # Another cell edited in the first export: the pledge has moved on since, so it is refused
    # rather than written over what was saved in between.
    stale, _number = edit_cell(data, pledge.pk, "title", "另一个标题")
    refused = upload(user, org, stale)
    assert not refused.ok
    assert "这项承诺在导出台账之后已在系统中变动" in errors(refused)
    pledge.refresh_from_db()
    assert pledge.title != "另一个标题" and pledge.measures == "换一种做法"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        pytest.param(
            "measures", "的承诺不能在台账中修改：只有草稿或被退回的承诺可以修改", id="content"
        ),
        pytest.param("status", "状态只能在系统中办理，不能在台账中修改", id="status"),
    ],
)
def test_it_refuses_what_the_ledger_may_not_change_and_changes_nothing(county, key, message):
    org = county.get(name="东街社区党支部")
    user = secretary_of(org)
    pledge = Pledge.objects.filter(owner_org=org, year=YEAR, status="published").first()
    data, number = edit_cell(export(user, org), pledge.pk, key, "已销号")
    before = book_state()
    result = upload(user, org, data)
    assert not result.ok
    assert f"第 {number} 行" in errors(result) and message in errors(result), errors(result)
    assert book_state() == before


def test_it_refuses_a_row_without_a_known_number(county):
    org = county.get(name="东街社区党支部")
    user = secretary_of(org)
    other = Pledge.objects.exclude(owner_org__path__startswith=org.path).first()
    pledge = Pledge.objects.filter(owner_org=org, year=YEAR).first()
    data, number = edit_cell(export(user, org), pledge.pk, "id", other.pk)
    result = upload(user, org, data)
    assert f"第 {number} 行 M 列（编号）：编号 {other.pk} 不是东街社区党支部" in errors(result)
    data, number = edit_cell(export(user, org), pledge.pk, "id", None)
    assert "没有编号：台账只能修改系统中已有的承诺" in errors(upload(user, org, data))
