"""The pledge's life in one table: the table itself, and random walks through the services by
random roles that must never reach a state the table does not lead to, nor show an
unpublished pledge to the public."""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from core.errors import TransitionError
from pledges.models import Organization, Pledge, PledgeEvent, Position
from pledges.rules import lifecycle
from pledges.services import pledge as services
from pledges.services.entry import EntryRow, entry_save
from pledges.services.progress import progress_add, progress_delete, progress_record_many
from publicity.selectors import public
from tests.factories import MemberFactory, UserFactory, make_org, make_position

S = Pledge.Status
Move = lifecycle.Move


def _reachable(start: str, without: set[str] = frozenset()) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for t in lifecycle.TABLE:
            if t.state == state and t.move not in without and t.to not in seen:
                seen.add(t.to)
                todo.append(t.to)
    return seen


# --- the table ----------------------------------------------------------------------------


def test_it_declares_each_state_and_move_once_and_one_role_per_move():
    pairs = [(t.state, t.move) for t in lifecycle.TABLE]
    assert len(pairs) == len(set(pairs))
    for move, rows in itertools.groupby(
        sorted(lifecycle.TABLE, key=lambda t: t.move), key=lambda t: t.move
    ):
        assert len({t.who for t in rows}) == 1, move


def test_it_reaches_every_state_from_a_draft_and_the_public_ones_only_through_publication():
    assert _reachable(S.DRAFT) == set(S.values)
    unpublished = _reachable(S.DRAFT, without={Move.PUBLISH})
    assert set(S.values) - unpublished == set(Pledge.PUBLIC_STATUSES)


def test_it_agrees_with_the_models_groups_of_states():
    assert lifecycle.states_allowing(Move.EDIT) == Pledge.EDITABLE_STATUSES
    assert lifecycle.states_allowing(Move.AMEND) == Pledge.RUNNING_STATUSES
    assert lifecycle.states_allowing(Move.CARRY_OVER) == Pledge.ENDED_STATUSES
    assert lifecycle.states_allowing(Move.PROGRESS) == (S.PUBLISHED, S.IN_PROGRESS)


@pytest.mark.parametrize(
    ("state", "move", "message"),
    [
        (
            S.APPROVED,
            Move.PROGRESS,
            "该承诺当前为“已审核备案”，不能记实；只有已亮诺或践诺中的承诺可以记实",
        ),
        (S.DRAFT, Move.PUBLISH, "该承诺当前为“草稿”，不能亮诺；只有已审核备案的承诺可以亮诺"),
        (
            S.PUBLISHED,
            Move.EDIT,
            "该承诺当前为“已亮诺”，不能修改；只有草稿或已退回的承诺可以修改；请办理变更",
        ),
        (
            S.CLOSED,
            Move.AMEND,
            "该承诺当前为“已销号”，不能变更；只有已审核备案、已亮诺或践诺中的承诺可以变更",
        ),
    ],
)
@translation.override("zh-hans")  # no request here: the messages are the Chinese ones
def test_it_names_the_state_and_the_move_when_it_refuses(state, move, message):
    with pytest.raises(TransitionError) as refused:
        lifecycle.target(Pledge(status=state), move)
    assert str(refused.value) == message


def test_it_gives_the_state_a_move_leads_to():
    assert lifecycle.target(Pledge(status=S.APPROVED), Move.PUBLISH) == S.PUBLISHED
    assert lifecycle.target(Pledge(status=S.PUBLISHED), Move.PROGRESS) == S.IN_PROGRESS
    assert lifecycle.target(Pledge(status=S.IN_PROGRESS), Move.PROGRESS) == S.IN_PROGRESS


# --- random walks through the services ----------------------------------------------------

ROLES = ("secretary", "office", "member", "stranger", "leader")
_titles = itertools.count(1)


def _content(title: str) -> services.PledgeContent:
    return services.PledgeContent(
        kind=Pledge.Kind.PRACTICAL,
        title=title,
        measures="每月走访一次",
        deadline=timezone.localdate() + datetime.timedelta(days=60),
        expected_result="群众满意",
    )


def _title() -> str:
    return f"承诺{next(_titles)}"


def _latest_record(pledge):
    return pledge.progress_records.order_by("-id").first()


def _entry_submit(p, by):
    return entry_save(
        by=by,
        org=p.owner_org,
        member=p.owner_member,
        year=p.year,
        half=p.half,
        rows=[EntryRow(content=_content(_title()), pledge_id=p.pk, version=p.edit_version)],
        submit=True,
    )


def _bulk_publish(p, by):
    result = services.pledges_bulk(pledges=[p], by=by, action="publish")
    if result.refused:
        raise TransitionError(result.refused[0][1])


def _round(p, by):
    today = timezone.localdate()
    progress_record_many(org=p.owner_org, by=by, date=today, texts={p.pk: "本月走访三户"})


# Each step of a walk: a name, the table's moves it makes in order, and the service call.
STEPS = {
    "edit": (
        [Move.EDIT],
        lambda p, by: services.pledge_update(
            pledge=p, by=by, content=_content(_title()), version=p.edit_version
        ),
    ),
    "submit": ([Move.SUBMIT], lambda p, by: services.pledge_submit(pledge=p, by=by)),
    "entry_submit": ([Move.EDIT, Move.SUBMIT], _entry_submit),
    "approve": ([Move.APPROVE], lambda p, by: services.pledge_approve(pledge=p, by=by)),
    "return": (
        [Move.RETURN],
        lambda p, by: services.pledge_return(pledge=p, by=by, reason="措施不具体"),
    ),
    "publish": ([Move.PUBLISH], lambda p, by: services.pledge_publish(pledge=p, by=by)),
    "bulk_publish": ([Move.PUBLISH], _bulk_publish),
    "progress": (
        [Move.PROGRESS],
        lambda p, by: progress_add(pledge=p, by=by, date=timezone.localdate(), text="走访两户"),
    ),
    "round": ([Move.PROGRESS], _round),
    "delete_record": (
        [Move.DELETE_RECORD],
        lambda p, by: progress_delete(record=_latest_record(p), by=by),
    ),
    "amend": (
        [Move.AMEND],
        lambda p, by: services.pledge_amend(
            pledge=p, by=by, content=_content(_title()), reason="调整时限", version=p.edit_version
        ),
    ),
    "close": ([Move.CLOSE], lambda p, by: services.pledge_close(pledge=p, by=by, result="已完成")),
    "unfulfilled": (
        [Move.UNFULFILLED],
        lambda p, by: services.pledge_mark_unfulfilled(pledge=p, by=by, reason="资金未到位"),
    ),
    "carry_over": ([Move.CARRY_OVER], lambda p, by: services.pledge_carry_over(pledge=p, by=by)),
}
STEP_NAMES = sorted(STEPS)

# Most steps follow the table (a move the pledge's state allows, by a role drawn among those
# who may make it) so that walks go deep enough to close and carry over; the others are any
# move by any role.
steps = st.lists(
    st.tuples(
        st.integers(0, 3), st.integers(0, 99), st.integers(0, len(ROLES) - 1), st.integers(0, 9)
    ),
    min_size=3,
    max_size=20,
)
# The walk of issue 13: progress recorded (one pledge, then the monthly round) on a pledge
# approved but never published, a stranger publishing; then the whole life to 再承诺.
ISSUE_13_WALK = [
    (1, 2, 0, 0),  # submit, by the secretary
    (1, 0, 0, 0),  # approve
    (0, STEP_NAMES.index("progress"), 0, 0),  # refused: not published
    (0, STEP_NAMES.index("round"), 0, 0),  # refused: not published
    (0, STEP_NAMES.index("publish"), ROLES.index("stranger"), 0),  # refused: a stranger
    (1, 2, 0, 0),  # publish
    (1, 3, 0, 0),  # the monthly round
    (1, 2, 0, 0),  # delete that record
    (1, 5, 0, 0),  # unfulfilled
    (1, 0, 0, 0),  # carry over
]


def _expected(pledge: Pledge, by, moves: list[str]) -> str | None:
    """The state the table says these moves lead to for this user, or None if refused."""
    state = pledge.status
    for move in moves:
        probe = Pledge(status=state, owner_org=pledge.owner_org, owner_member=pledge.owner_member)
        if not lifecycle.may(by, probe, move) or not lifecycle.allows(probe, move):
            return None
        state = lifecycle.target(probe, move)
    return state


class TestRandomWalks(TestCase):
    """Each example runs in its own transaction, rolled back after it (hypothesis' TestCase);
    the organizations and users are made once for the class."""

    @classmethod
    def setUpTestData(cls):
        town = make_org("城关镇党委", make_org("示范县委"), level=Organization.Level.COMMITTEE)
        cls.branch = make_org("东街社区党支部", town, field=Organization.Field.COMMUNITY)
        cls.users = {name: UserFactory(username=name) for name in ROLES}
        make_position(cls.users["secretary"], cls.branch, Position.Kind.SECRETARY)
        make_position(cls.users["office"], town, Position.Kind.OFFICE)
        make_position(cls.users["leader"], town, Position.Kind.LEADER_CONTACT)
        cls.member = MemberFactory(name="张三", organization=cls.branch, user=cls.users["member"])

    def _start(self) -> list[Pledge]:
        """A member's pledge and the branch's own, as drafts the secretary entered."""
        return [
            services.pledge_create(
                by=self.users["secretary"],
                owner_org=self.branch,
                owner_member=owner,
                content=_content(_title()),
                year=timezone.localdate().year,
            )
            for owner in (self.member, None)
        ]

    def _step(self, pool: list[Pledge], mode: int, pick: int, role_pick: int, which: int) -> None:
        pledge = pool[which % len(pool)]
        pledge.refresh_from_db()
        names, roles = STEP_NAMES, ROLES
        if mode:  # follow the table
            names = [n for n in STEP_NAMES if lifecycle.allows(pledge, STEPS[n][0][0])]
        name = names[pick % len(names)]
        moves, call = STEPS[name]
        if mode:
            allowed = [r for r in ROLES if lifecycle.may(self.users[r], pledge, moves[0])]
            roles = allowed or ROLES
        role = roles[role_pick % len(roles)]
        by = self.users[role]
        if name == "delete_record" and _latest_record(pledge) is None:
            return
        before, expected = pledge.status, _expected(pledge, by, moves)
        if name == "carry_over" and pledge.carried_into.exists():
            expected = None  # one 再承诺 per pledge: a rule on the records, not the state
        try:
            made = call(pledge, by)
        except (TransitionError, PermissionDenied) as refused:
            pledge.refresh_from_db()
            assert expected is None, f"{name} by {role} on {before}: refused ({refused})"
            assert pledge.status == before
            return
        pledge.refresh_from_db()
        assert expected is not None, f"{name} by {role} on {before} was allowed"
        assert pledge.status == expected, f"{name} by {role}: {before} → {pledge.status}"
        if name == "carry_over":
            assert made.status == S.DRAFT
            pool.append(made)

    def _assert_public_shows_only_published(self) -> None:
        published = set(
            PledgeEvent.objects.filter(action=Move.PUBLISH).values_list("pledge_id", flat=True)
        )
        everything = list(Pledge.objects.all())
        for pledge in everything:
            if pledge.status in Pledge.PUBLIC_STATUSES:
                assert pledge.pk in published and pledge.published_at is not None
        shown = {p.pk for p in public.org_page(self.branch)["pledges"]}
        assert shown <= published
        for pledge in everything:
            assert (public.public_pledge(self.branch, pledge.pk) is not None) == (
                pledge.pk in published
            )
        cache.clear()  # the page cache is not rolled back with the database
        page = self.client.get(f"/public/org/{self.branch.pk}/").content.decode()
        for pledge in everything:
            link = f"/public/org/{self.branch.pk}/pledge/{pledge.pk}/"
            assert (link in page) == (pledge.pk in shown), pledge.status

    @settings(
        max_examples=50,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(walk=steps)
    @example(walk=ISSUE_13_WALK)
    def test_it_never_reaches_a_state_the_table_does_not_lead_to(self, walk):
        pool = self._start()
        for mode, pick, role_pick, which in walk:
            self._step(pool, mode, pick, role_pick, which)
            unannounced = Pledge.objects.filter(status__in=Pledge.PUBLIC_STATUSES).exclude(
                events__action=Move.PUBLISH
            )
            assert not unannounced.exists()
        self._assert_public_shows_only_published()
