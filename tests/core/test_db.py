"""core.db's bulk writes: copy_insert() (COPY on PostgreSQL, bulk_create elsewhere) and
allocate_ids(). Runs on both databases: the assertions are on the rows written. (stream() and
analyse() are tested in tests/config/test_db_router.py.)"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.db import allocate_ids, copy_insert
from pledges.models import Member, PledgeEvent, ProgressRecord
from tests.factories import PledgeFactory, UserFactory, make_org

pytestmark = pytest.mark.django_db

AWKWARD = "张\t三\\n\n李四\r"  # a tab, a backslash, line breaks: COPY's text format escapes them
MEMBER_FIELDS = ("organization_id", "name", "gender", "kind", "probationary", "phone")


def _inserts(queries) -> int:
    return sum(q["sql"].lstrip().upper().startswith("INSERT") for q in queries)


def test_it_writes_tuples_with_the_other_fields_defaults():
    org = make_org()
    rows = [
        (org.pk, AWKWARD, Member.Gender.FEMALE, Member.Kind.ON_DUTY, True, "13800000000"),
        (org.pk, "王五", Member.Gender.MALE, Member.Kind.ON_DUTY, False, ""),
    ]
    with CaptureQueriesContext(connection) as queries:
        assert copy_insert(Member, iter(rows), fields=MEMBER_FIELDS) == 2
    # PostgreSQL: one COPY (which Django does not log), no INSERT; elsewhere bulk_create.
    assert (_inserts(queries) == 0) == (connection.vendor == "postgresql")
    written = list(Member.objects.order_by("id").values_list(*MEMBER_FIELDS, "id_card", "user_id"))
    assert written == [(*row, "", None) for row in rows]


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_it_prepares_a_value_not_of_the_columns_own_type_as_a_save_would():
    org = make_org()
    when = datetime.datetime(2026, 3, 1, 9, 30)  # naive: taken in the current time zone
    copy_insert(
        Member,
        [(str(org.pk), "赵六", "male", "on_duty", 1, 13800000000)],
        fields=MEMBER_FIELDS,
    )
    assert Member.objects.values_list("organization_id", "probationary", "phone").get() == (
        org.pk,
        True,
        "13800000000",
    )
    pledge = PledgeFactory(owner_org=org)
    copy_insert(
        PledgeEvent,
        [(pledge.pk, "create", "", when)],
        fields=("pledge_id", "action", "remark", "at"),
    )
    assert PledgeEvent.objects.get().at == timezone.make_aware(when)


def test_it_writes_instances_with_the_ids_allocated_first():
    org = make_org()
    user = UserFactory()
    ids = allocate_ids(Member, 3)
    assert len(set(ids)) == 3
    members = [
        Member(pk=pk, organization=org, name=f"党员{i}", gender="male", kind="on_duty")
        for i, pk in enumerate(ids)
    ]
    members[1].user = user
    assert copy_insert(Member, members) == 3
    assert list(Member.objects.order_by("id").values_list("id", "name", "user_id")) == [
        (ids[0], "党员0", None),
        (ids[1], "党员1", user.pk),
        (ids[2], "党员2", None),
    ]
    # A row inserted the usual way afterwards gets an id of its own.
    later = Member.objects.create(organization=org, name="后来", gender="male", kind="on_duty")
    assert later.pk not in ids
    assert allocate_ids(Member, 0) == []


def test_it_gives_a_missing_timestamp_and_json_field_their_defaults():
    pledge = PledgeFactory()
    author = pledge.created_by
    before = timezone.now()
    day = datetime.date(2026, 3, 1)
    copy_insert(
        ProgressRecord,
        [(pledge.pk, day, "走访 5 户", author.pk)],
        fields=("pledge_id", "date", "text", "author_id"),
    )
    record = ProgressRecord.objects.get()
    assert (record.date, record.text, record.author_id) == (day, "走访 5 户", author.pk)
    assert (record.is_public, record.photos_public) == (True, False)
    assert before <= record.created_at <= timezone.now()
    copy_insert(
        PledgeEvent,
        [(pledge.pk, author.pk, "create", "", before), (pledge.pk, None, "return", "x", before)],
        fields=("pledge_id", "actor_id", "action", "remark", "at"),
    )
    assert list(PledgeEvent.objects.order_by("id").values_list("actor_id", "changes")) == [
        (author.pk, {}),
        (None, {}),
    ]


def test_it_writes_nothing_for_no_rows():
    with CaptureQueriesContext(connection) as queries:
        assert copy_insert(Member, [], fields=MEMBER_FIELDS) == 0
        assert copy_insert(Member, []) == 0
    assert _inserts(queries) == 0
