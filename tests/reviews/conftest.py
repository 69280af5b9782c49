"""Fixtures of the reviews/ tests; builders live in tests/factories.py."""

import datetime

import pytest
from django.utils import timezone

from core.periods import Period
from pledges.models import Organization, Pledge, Position
from reviews.models import (
    Quarter,
    RectificationItem,
    Review,
    Satisfaction,
    SelfEvaluation,
    SuggestionLetter,
)
from reviews.rules import filing as filing_rules
from reviews.services import filing as filing_services
from reviews.services import letter as letter_services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    issue_inspection_notice,
    make_ended_evaluation,
    make_evaluation,
    make_item,
    make_org,
    make_position,
    make_review,
    make_self_evaluation,
    member_subject,
    open_inspection,
    org_subject,
    signed_review,
    submit_self_evaluation,
)

Status = Pledge.Status


@pytest.fixture
def rworld(world):
    """`world` plus a leader linked to the branch and a head (secretary) of the town."""
    w = world
    w.branch_leader = UserFactory(username="branch_leader")
    make_position(w.branch_leader, w.branch, Position.Kind.LEADER_SUPERVISE)
    w.town_secretary = UserFactory(username="town_secretary")
    make_position(w.town_secretary, w.town, Position.Kind.SECRETARY)
    w.far_branch = make_org("远郊村党支部", w.far_town)
    w.far_leader = UserFactory(username="far_leader")
    make_position(w.far_leader, w.far_branch, Position.Kind.LEADER_CONTACT)
    return w


@pytest.fixture
def town_data(world):
    """The hand-counted tree under 城关镇党委 (see the figures asserted below)."""
    w = world
    q = Quarter.current()
    year = q.year
    w.q = q
    w.wang = MemberFactory(name="王五", organization=w.branch)
    w.zhao = MemberFactory(name="赵六", organization=w.branch)
    # A group under the branch: counted in the branch's row, and it reported.
    w.group = make_org("东街第一党小组", w.branch, level=Organization.Level.GROUP)
    make_self_evaluation(q, org=w.group)
    # Pledges: the branch and 张三, 王五 have pledged; drafts do not count.
    PledgeFactory(owner_org=w.branch, status=Status.APPROVED, year=year)
    PledgeFactory(owner_org=w.other_branch, status=Status.DRAFT, year=year)
    PledgeFactory(owner_member=w.member, status=Status.PUBLISHED, year=year)
    PledgeFactory(owner_member=w.wang, status=Status.SUBMITTED, year=year)
    PledgeFactory(owner_member=w.zhao, status=Status.DRAFT, year=year)
    PledgeFactory(owner_member=w.other_member, status=Status.PUBLISHED, year=year - 1)
    # Reports: the branch and 张三 have reported; the other branch only drafted.
    make_self_evaluation(q, org=w.branch)
    make_self_evaluation(q, status=SelfEvaluation.Status.DRAFT, org=w.other_branch)
    make_self_evaluation(q, member=w.member)
    # Reviews this quarter: branch 好, 张三 较好 (published), 李四 差; a draft does not count.
    branch_review = make_review(q, Review.Grade.GOOD, org=w.branch)
    make_review(q, Review.Grade.FAIRLY_GOOD, status=Review.Status.PUBLISHED, member=w.member)
    li_review = make_review(q, Review.Grade.POOR, member=w.other_member)
    make_review(q, Review.Grade.POOR, status=Review.Status.DRAFT, org=w.other_branch)
    # Last quarter the branch was reviewed too (only the trend shows it).
    make_review(q.prev(), Review.Grade.AVERAGE, org=w.branch)
    # Rectification due this quarter: 1 of 3 confirmed; one due next quarter does not count.
    make_item(branch_review, q.end, RectificationItem.Status.CONFIRMED)
    make_item(branch_review, q.end)
    make_item(li_review, q.start)
    make_item(li_review, q.end + datetime.timedelta(days=1))
    # Mass evaluation: the branch's 30 answers count (26 of 30 satisfied or basically);
    # the other branch's 5 answers are under 30 and do not.
    S = Satisfaction
    make_evaluation(
        w.branch, q, [S.SATISFIED] * 20 + [S.BASIC] * 6 + [S.UNSATISFIED] * 4, w.secretary
    )
    make_evaluation(w.other_branch, q, [S.UNSATISFIED] * 5, w.other_secretary)
    # Outside the town: never counted.
    far_branch = make_org("远郊支部", w.far_town)
    far_member = MemberFactory(organization=far_branch)
    PledgeFactory(owner_member=far_member, status=Status.PUBLISHED, year=year)
    make_review(q, Review.Grade.GOOD, member=far_member)
    return w


@pytest.fixture
def signed(rworld):
    """A signed random review of the branch by its leader, with two items."""
    return signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")


@pytest.fixture
def fill_reviews(world):
    """`fill_reviews(n)`: n more members of the branch, each with a self-evaluation, a signed
    review by the secretary with two items, a suggestion letter; n more branches under the town,
    each with an ended mass evaluation. Returns the ids of the last of each, to fill in page
    addresses."""

    def fill(n: int) -> dict[str, int]:
        made = {}
        for i in range(n):
            member = MemberFactory(organization=world.branch)
            subject = member_subject(member)
            made["report"] = submit_self_evaluation(subject, world.secretary)
            made["review"] = signed_review(world.secretary, subject, mode="random")
            made["item"] = made["review"].items.order_by("id").first()
            PledgeFactory(
                owner_member=member,
                status=Pledge.Status.UNFULFILLED,
                year=timezone.localdate().year,
            )
            made["letter"] = letter_services.letter_issue(
                by=world.secretary,
                member=member,
                reason=SuggestionLetter.Reason.UNFULFILLED,
                problems="承诺未按期兑现",
                measures="一月内补办",
                deadline=timezone.localdate() + datetime.timedelta(days=30),
            )
            branch = make_org(f"新建党支部{i}", world.town)
            made["evaluation"] = make_ended_evaluation(branch, by=world.office)
        return {
            **{name: obj.pk for name, obj in made.items()},
            "branch": world.branch.pk,
            "town": world.town.pk,
        }

    return fill


@pytest.fixture
def assert_page_queries(world, client, fill_reviews, django_assert_num_queries):
    """`assert_page_queries(who, url, queries, rows)`: with `rows` of everything (see
    fill_reviews), the page at `url` (formatted with fill_reviews' ids) costs exactly `queries`
    queries for world.`who`; a download is read to its end inside the count."""

    def check(who: str, url: str, queries: int, rows: int) -> None:
        url = url.format(**fill_reviews(rows))
        client.force_login(getattr(world, who))
        with django_assert_num_queries(queries):
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200

    return check


@pytest.fixture
def this_half(monkeypatch):
    """The half-year of today, open for filing whatever today is (a half opens in its last
    month: a test run in August would otherwise find nothing to file)."""
    monkeypatch.setattr(filing_services, "is_open_for_filing", lambda period, today=None: True)
    monkeypatch.setattr(filing_rules, "is_open_for_filing", lambda period, today=None: True)
    today = timezone.localdate()
    return Period(today.year, half=1 if today.month <= 6 else 2)


@pytest.fixture
def filing_world(rworld, this_half):
    """`rworld` with a half-year to file: the branch's own pledge and 张三's (checked), a draft
    that is not filed, a signed review of 张三 with two items, an ended mass evaluation."""
    w = rworld
    w.period = this_half
    w.own_pledge = PledgeFactory(
        owner_org=w.branch, status=Status.APPROVED, title="修缮社区活动室", half=this_half.half
    )
    w.member_pledge = PledgeFactory(
        owner_member=w.member, status=Status.PUBLISHED, title="每月走访孤寡老人"
    )
    PledgeFactory(owner_member=w.member, status=Status.DRAFT, title="草稿不报送")
    w.review = signed_review(w.secretary, member_subject(w.member), mode="random")
    w.evaluation = make_ended_evaluation(w.branch, by=w.secretary)
    return w


@pytest.fixture
def inspected(world):
    """The town's half-yearly check (both branches), with a notice to 东街社区党支部."""
    w = world
    w.inspection = open_inspection(w.office, w.town)
    w.target = w.inspection.targets.get(organization=w.branch)
    w.other_target = w.inspection.targets.get(organization=w.other_branch)
    w.inspection_notice = issue_inspection_notice(w.office, w.target)
    return w
