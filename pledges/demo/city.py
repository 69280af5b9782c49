"""The city of the sources, written with bulk inserts: a benchmark data set."""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from core.db import allocate_ids, copy_insert

from ..models import Member, Organization, Pledge, PledgeEvent, Position, ProgressRecord
from .logins import ensure_admin
from .names import (
    ALPHABET,
    BUREAUS,
    CITY_BRANCHES,
    CITY_COMMITTEES,
    CITY_MEMBERS,
    CITY_NAME,
    CITY_PLEDGES,
    CLOSE_RESULTS,
    COMPANIES,
    COMPANY_UNITS,
    DEPARTMENTS,
    EXPECTED,
    FAULT_MEASURES,
    FAULT_TITLES,
    MEASURES,
    MEMBER_TITLES,
    ORG_TITLES,
    PASSWORD,
    PLACES,
    PROGRESS_TEXTS,
    RETURN_REASONS,
    STEPLEN,
    UNFULFILLED_REASONS,
    Level,
    OrgField,
    Status,
    User,
    member_kind,
    person_name,
    phone_number,
)


def encode_step(n: int) -> str:
    """Treebeard's path step: n (1-based) in base 36 over its alphabet, STEPLEN wide."""
    digits = []
    while n:
        n, d = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[d])
    return "".join(reversed(digits)).rjust(STEPLEN, ALPHABET[0])


def next_root_step() -> int:
    last = Organization.objects.get_last_root_node()
    return int(last.path, len(ALPHABET)) + 1 if last else 1


@dataclass
class CityPlan:
    branches: int
    committees: int
    members: int
    pledges: int

    @classmethod
    def scaled(cls, branches: int) -> CityPlan:
        f = branches / CITY_BRANCHES
        return cls(
            branches=branches,
            committees=max(10, round(CITY_COMMITTEES * f)),
            members=max(branches * 5, round(CITY_MEMBERS * f)),
            pledges=round(CITY_PLEDGES * f),
        )


CITY_COUNTIES = (
    "东湖区 西山区 南湖区 北港区 江城经济技术开发区 高新技术产业开发区 临江县 云溪县 石桥县 河口县 "
    "松阳县 桂山县 平川县 长宁县 安远县"
).split()
# What the committees of one county are, in turn: 11 towns, 6 streets, 5 bureaus, 3 school
# districts, 2 hospitals, 2 state enterprises, 1 两新 committee, interleaved so that a
# scaled-down city still has every field.
_F = {
    "R": OrgField.RURAL,
    "C": OrgField.COMMUNITY,
    "G": OrgField.GOVERNMENT,
    "S": OrgField.SCHOOL,
    "M": OrgField.MEDICAL,
    "E": OrgField.STATE_ENTERPRISE,
    "N": OrgField.NEW_ECONOMY,
}
COMMITTEE_FIELDS = [_F[c] for c in "RCGRSRMCREGRNCRSGRCMRGSRCERGCR"]


def spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal integers."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def exact_sizes(rng: random.Random, total: int, n: int, low: int, high: int) -> list[int]:
    """n random sizes in [low, high] that add up to exactly `total` (clamped if impossible)."""
    total = min(max(total, n * low), n * high)
    sizes = [rng.randint(low, high) for _ in range(n)]
    diff = total - sum(sizes)
    step = 1 if diff > 0 else -1
    order = list(range(n))
    while diff:
        rng.shuffle(order)
        for i in order:
            if diff and low <= sizes[i] + step <= high:
                sizes[i] += step
                diff -= step
    return sizes


# Most members sign in (the rest are elderly or away: their secretary records for them).
MEMBER_LOGIN_SHARE = 0.85
EMAIL_DOMAIN = "jiangcheng.example"
PROGRESS_STATUSES = (Status.IN_PROGRESS, Status.CLOSED, Status.UNFULFILLED)


class PledgeRow(NamedTuple):
    """A bulk pledge's values, written by copy_insert (the other fields take their defaults):
    no model instance for each of a province's million pledges."""

    owner_org_id: int
    owner_member_id: int | None
    kind: str
    title: str
    measures: str
    deadline: datetime.date
    expected_result: str
    year: int
    status: str
    return_reason: str
    close_result: str
    closed_on: datetime.date | None
    created_by_id: int
    submitted_by_id: int | None
    submitted_at: datetime.datetime | None
    approved_by_id: int | None
    approved_at: datetime.datetime | None
    published_at: datetime.datetime | None
    closed_by_id: int | None


@dataclass(frozen=True)
class CitySpec:
    """What tells one bulk city from another: its name and its logins' names. The defaults are
    the city of the sources; a province's other cities prefix their staff logins
    (`yz_city_office`) and number their members' logins with their own letters (`yz000001`)."""

    name: str = CITY_NAME
    staff_prefix: str = ""
    login_prefix: str = "jc"
    email_domain: str = EMAIL_DOMAIN


class CityBuilder:
    """Bulk rows with paths computed here: treebeard's add_child costs queries per node."""

    BATCH = 2000

    def __init__(
        self,
        *,
        plan: CityPlan,
        seed: int,
        today: datetime.date | None = None,
        log=None,
        city: CitySpec | None = None,
        parent: Organization | None = None,
    ):
        self.plan = plan
        # A city of a province sits under it and has logins of its own (distinct usernames).
        self.city = city or CitySpec()
        self.parent = parent
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.log = log or (lambda msg: None)
        self.now = timezone.now()
        self.year_start = timezone.make_aware(datetime.datetime(self.today.year, 1, 5, 9))
        self.logins = 0

    def build(self) -> Organization:
        t0 = time.monotonic()
        orgs = self._tree()
        root = orgs[0]
        self.log(f"  tree: {len(orgs)} organizations ({time.monotonic() - t0:.1f}s)")
        users = self._users(root, orgs)
        self.log(f"  users and positions ({time.monotonic() - t0:.1f}s)")
        self._members_and_pledges(users)
        self.log(f"  members, logins, pledges and progress ({time.monotonic() - t0:.1f}s)")
        bulk_history(root)
        self.log(f"  history ({time.monotonic() - t0:.1f}s)")
        return root

    # the tree

    def _tree(self) -> list[Organization]:
        p, r = self.plan, self.rng
        rows: list[Organization] = []

        def node(parent: Organization | None, index: int, name, level, field_) -> Organization:
            path = (parent.path if parent else "") + encode_step(index)
            org = Organization(
                name=name,
                level=level,
                field=field_,
                path=path,
                depth=len(path) // STEPLEN,
                numchild=0,
            )
            if parent:
                parent.numchild += 1
            rows.append(org)
            return org

        above = self.parent
        step = above.numchild + 1 if above is not None else next_root_step()
        root = node(above, step, self.city.name, Level.COMMITTEE, OrgField.GOVERNMENT)
        lower = p.committees - 1  # committees under the root: counties then their committees
        n_counties = min(len(CITY_COUNTIES), max(1, lower // 20))
        counties = []
        for i in range(n_counties):
            name = CITY_COUNTIES[i]
            level = Level.WORK_COMMITTEE if "开发区" in name else Level.COMMITTEE
            suffix = "党工委" if level == Level.WORK_COMMITTEE else "委"
            counties.append(node(root, i + 1, name + suffix, level, OrgField.GOVERNMENT))
        per_county = spread(lower - n_counties, n_counties)
        committees: list[tuple[Organization, str, str]] = []
        for county, count in zip(counties, per_county, strict=True):
            place_short = county.name.removesuffix("委").removesuffix("党工")
            places = r.sample(PLACES, k=len(PLACES))
            bureaus = r.sample(BUREAUS, k=len(BUREAUS))
            for j in range(count):
                field_ = COMMITTEE_FIELDS[j % len(COMMITTEE_FIELDS)]
                place = places[j % len(places)]
                level, name = Level.COMMITTEE, ""
                if field_ == OrgField.RURAL:
                    name = f"{place_short}{place}镇党委"
                elif field_ == OrgField.COMMUNITY:
                    level, name = Level.WORK_COMMITTEE, f"{place_short}{place}街道党工委"
                elif field_ == OrgField.GOVERNMENT:
                    name = f"{place_short}{bureaus[j % len(bureaus)]}党委"
                elif field_ == OrgField.SCHOOL:
                    name = f"{place_short}{place}学区党委"
                elif field_ == OrgField.MEDICAL:
                    name = f"{place_short}{'人民医院' if j % 2 else '中医院'}党委"
                elif field_ == OrgField.STATE_ENTERPRISE:
                    name = f"{place_short}{place}投资集团有限公司党委"
                else:
                    name = f"{place_short}{place}非公有制经济组织党委"
                committees.append((node(county, j + 1, name, level, field_), field_, place))
        branch_counts = spread(p.branches, len(committees))
        self.branches: list[Organization] = []
        for (committee, field_, place), count in zip(committees, branch_counts, strict=True):
            parents = [committee]
            if field_ == OrgField.GOVERNMENT and count >= 4:
                # 机关: 党总支 → 党支部
                parents = [
                    node(
                        committee,
                        k + 1,
                        f"{committee.name.removesuffix('党委')}机关第{'一二'[k]}党总支",
                        Level.GENERAL_BRANCH,
                        field_,
                    )
                    for k in range(2)
                ]
            for k in range(count):
                parent = parents[k % len(parents)]
                name = self._branch_name(field_, place, k, r)
                self.branches.append(node(parent, parent.numchild + 1, name, Level.BRANCH, field_))
        Organization.objects.bulk_create(rows, batch_size=self.BATCH)
        if above is not None:
            Organization.objects.filter(pk=above.pk).update(numchild=above.numchild)
        return rows

    @staticmethod
    def _branch_name(field_: str, place: str, k: int, r: random.Random) -> str:
        n = k + 1
        if field_ == OrgField.RURAL:
            return (
                f"{r.choice(PLACES)}村党支部（{n}）" if k >= len(PLACES) else f"{PLACES[k]}村党支部"
            )
        if field_ == OrgField.COMMUNITY:
            return f"{place}第{n}社区党支部"
        if field_ == OrgField.GOVERNMENT:
            return f"机关第{n}党支部"
        if field_ == OrgField.SCHOOL:
            return f"{place}{'中学' if k % 3 == 0 else '小学'}第{n}党支部"
        if field_ == OrgField.MEDICAL:
            return f"{DEPARTMENTS[k % len(DEPARTMENTS)]}党支部" + (
                f"（{n}）" if k >= len(DEPARTMENTS) else ""
            )
        if field_ == OrgField.STATE_ENTERPRISE:
            return f"{COMPANY_UNITS[k % len(COMPANY_UNITS)]}党支部" + (
                f"（{n}）" if k >= len(COMPANY_UNITS) else ""
            )
        return f"{place}{COMPANIES[k % len(COMPANIES)]}有限公司党支部" + (
            f"（{n}）" if k >= len(COMPANIES) else ""
        )

    # users and positions: a handful of logins holding a few hundred positions

    def _users(self, root: Organization, orgs: list[Organization]) -> dict[str, User]:
        # One hash for every demo login: hashing 140,000 passwords one by one would take hours.
        self.password = password = make_password(PASSWORD)
        pre = self.city.staff_prefix
        names = [pre + "city_office", pre + "city_leader"]
        names += [f"{pre}county_office{i:02d}" for i in range(1, 16)]
        names += [f"{pre}city_secretary{i:02d}" for i in range(1, 21)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        User.objects.bulk_create(
            [
                User(
                    username=n,
                    first_name=person_name(self.rng)[0],
                    password=password,
                    email=f"{n}@{self.city.email_domain}",
                )
                for n in names
                if n not in existing
            ],
            batch_size=self.BATCH,
        )
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        ensure_admin(password)
        positions = [
            Position(user=users[pre + "city_office"], organization=root, kind=Position.Kind.OFFICE)
        ]
        counties = [o for o in orgs if o.depth == root.depth + 1]
        for i, county in enumerate(counties):
            office = users[f"{pre}county_office{i % 15 + 1:02d}"]
            positions.append(Position(user=office, organization=county, kind=Position.Kind.OFFICE))
            positions.append(
                Position(
                    user=users[pre + "city_leader"],
                    organization=county,
                    kind=Position.Kind.LEADER_CONTACT,
                )
            )
        committees = [o for o in orgs if o.depth == root.depth + 2]
        for i, committee in enumerate(committees):
            secretary = users[f"{pre}city_secretary{i % 20 + 1:02d}"]
            positions.append(
                Position(user=secretary, organization=committee, kind=Position.Kind.SECRETARY)
            )
        Position.objects.bulk_create(positions, batch_size=self.BATCH)
        return users

    # members and pledges, a slice of branches at a time to keep memory flat

    def _members_and_pledges(self, users: dict[str, User]) -> None:
        p, r = self.plan, self.rng
        sizes = exact_sizes(r, p.members, len(self.branches), 5, 42)
        org_counts = [min(r.randint(3, 5), len(ORG_TITLES[b.field])) for b in self.branches]
        member_target = max(0, p.pledges - sum(org_counts))
        # 0–3 pledges per member (0 = a 全覆盖 gap), adjusted to hit the total exactly.
        member_counts = exact_sizes(r, member_target, sum(sizes), 0, 3)
        pre = self.city.staff_prefix
        creator = users[pre + "city_office"]
        secretaries = [users[f"{pre}city_secretary{i:02d}"] for i in range(1, 21)]
        cursor = 0
        chunk = 400
        for start in range(0, len(self.branches), chunk):
            branches = self.branches[start : start + chunk]
            members: list[Member] = []
            logins: list[User] = []
            first_of: dict[int, Member] = {}
            for branch, size in zip(branches, sizes[start : start + chunk], strict=True):
                taken: set[str] = set()
                for i in range(size):
                    name, gender = person_name(r, taken)
                    member = Member(
                        organization_id=branch.pk,
                        name=name,
                        gender=gender,
                        kind=member_kind(r, branch.field),
                        probationary=r.random() < 0.05,
                        phone=phone_number(r),
                    )
                    members.append(member)
                    # The first member is the branch secretary; most others sign in too.
                    if i == 0:
                        first_of[branch.pk] = member
                    if i == 0 or r.random() < MEMBER_LOGIN_SHARE:
                        self.logins += 1
                        username = f"{self.city.login_prefix}{self.logins:06d}"
                        logins.append(
                            User(
                                username=username,
                                first_name=name,
                                password=self.password,
                                email=f"{username}@{self.city.email_domain}",
                            )
                        )
                        member.user = logins[-1]
            # COPY (core.db.copy_insert) with ids taken first: members point at their logins,
            # pledges at members, records at pledges (bulk_create's Python cost was most of it).
            for login, pk in zip(logins, allocate_ids(User, len(logins)), strict=True):
                login.pk = pk
            copy_insert(User, logins)
            for member in members:
                if member.user is not None:
                    member.user_id = member.user.pk
            for member, pk in zip(members, allocate_ids(Member, len(members)), strict=True):
                member.pk = pk
            copy_insert(Member, members)
            copy_insert(
                Position,
                ((m.user_id, org_id, Position.Kind.SECRETARY) for org_id, m in first_of.items()),
                fields=("user_id", "organization_id", "kind"),
            )
            pledges: list[PledgeRow] = []
            for branch, count in zip(branches, org_counts[start : start + chunk], strict=True):
                for title in r.sample(ORG_TITLES[branch.field], k=count):
                    pledges.append(self._pledge(branch, None, title, creator, secretaries))
            field_of = {b.pk: b.field for b in branches}
            for member in members:
                count = member_counts[cursor]
                cursor += 1
                titles = MEMBER_TITLES[field_of[member.organization_id]]
                for k in range(count):
                    title = r.choice(FAULT_TITLES) if k == 2 else r.choice(titles)
                    pledges.append(
                        self._pledge(None, member, title, creator, secretaries, fault=k == 2)
                    )
            ids = allocate_ids(Pledge, len(pledges))
            copy_insert(
                Pledge,
                ((pk, *pledge) for pk, pledge in zip(ids, pledges, strict=True)),
                fields=("id", *PledgeRow._fields),
            )
            # Who records a pledge's progress: its member if he signs in, else the secretary.
            user_of = {m.pk: m.user_id for m in members if m.user_id}
            secretary_of = {org_id: m.user_id for org_id, m in first_of.items()}
            copy_insert(
                ProgressRecord,
                self._progress(zip(ids, pledges, strict=True), user_of, secretary_of),
                fields=("pledge_id", "date", "text", "author_id"),
            )
            self.log(f"  {start + len(branches)}/{len(self.branches)} branches")

    def _progress(
        self,
        pledges: Iterable[tuple[int, PledgeRow]],
        user_of: dict[int, int],
        secretary_of: dict[int, int],
    ):
        """记实: a record each month on a running pledge, from the month after it was published
        to today (or its deadline); an ended pledge has one, on the day it ended. Rows of
        (pledge_id, date, text, author_id), for copy_insert: no model instance each."""
        r, today = self.rng, self.today
        for pk, pledge in pledges:
            if pledge.status not in PROGRESS_STATUSES:
                continue
            author = user_of.get(pledge.owner_member_id) or secretary_of[pledge.owner_org_id]
            if pledge.status == Status.IN_PROGRESS:
                start = timezone.localdate(pledge.published_at)
                days = []
                year, month = start.year, start.month
                while True:
                    month += 1
                    if month > 12:
                        year, month = year + 1, 1
                    day = datetime.date(year, month, r.randint(1, 28))
                    if day > today:
                        break
                    days.append(day)
            else:
                days = [pledge.closed_on or min(pledge.deadline, today)]
            for day in days:
                text = r.choice(PROGRESS_TEXTS).format(
                    a=r.randint(2, 60), b=r.randint(1, 20), p=r.choice((30, 50, 60, 80))
                )
                yield pk, day, text, author

    def _pledge(self, branch, member, title, creator, secretaries, fault=False) -> PledgeRow:
        r, today, now = self.rng, self.today, self.now
        year = today.year
        deadline = datetime.date(year, 1, 1) + datetime.timedelta(days=r.randrange(365))
        x = r.random()
        if deadline < today:  # mostly done by now; some overdue, some not fulfilled
            status = (
                Status.CLOSED
                if x < 0.78
                else Status.IN_PROGRESS
                if x < 0.9
                else (Status.UNFULFILLED if x < 0.95 else Status.PUBLISHED)
            )
        else:
            status = (
                Status.IN_PROGRESS
                if x < 0.5
                else Status.PUBLISHED
                if x < 0.7
                else Status.APPROVED
                if x < 0.8
                else Status.SUBMITTED
                if x < 0.88
                else Status.RETURNED
                if x < 0.92
                else Status.CLOSED
                if x < 0.96
                else Status.DRAFT
            )
        filed = status in Pledge.FILED_STATUSES
        published = status in Pledge.PUBLIC_STATUSES
        secretary = secretaries[r.randrange(len(secretaries))]
        closed_on = None
        if status == Status.CLOSED:
            closed_on = min(today, deadline) - datetime.timedelta(days=r.randint(0, 20))
        # 定诺 in January, 审诺 and 亮诺 within a few weeks (created_at is set by the database).
        submitted_at = self.year_start + datetime.timedelta(
            days=r.randrange(40), minutes=r.randrange(480)
        )
        approved_at = submitted_at + datetime.timedelta(days=r.randint(1, 10))
        published_at = approved_at + datetime.timedelta(days=r.randint(1, 5))
        submitted_at, approved_at, published_at = (
            min(t, now) for t in (submitted_at, approved_at, published_at)
        )
        return PledgeRow(
            owner_org_id=branch.pk if branch else member.organization_id,
            owner_member_id=member.pk if member else None,
            kind=Pledge.Kind.FAULT
            if fault
            else r.choice((Pledge.Kind.PRACTICAL, Pledge.Kind.SERVICE)),
            title=title,
            measures=r.choice(FAULT_MEASURES if fault else MEASURES),
            deadline=deadline,
            expected_result=r.choice(EXPECTED),
            year=year,
            status=status,
            return_reason=r.choice(RETURN_REASONS) if status == Status.RETURNED else "",
            close_result=(
                r.choice(CLOSE_RESULTS)
                if status == Status.CLOSED
                else r.choice(UNFULFILLED_REASONS)
                if status == Status.UNFULFILLED
                else ""
            ),
            closed_on=closed_on,
            created_by_id=creator.pk,
            submitted_by_id=creator.pk if status != Status.DRAFT else None,
            submitted_at=submitted_at if status != Status.DRAFT else None,
            approved_by_id=secretary.pk if filed else None,
            approved_at=approved_at if filed else None,
            published_at=published_at if published else None,
            closed_by_id=secretary.pk if status in Pledge.ENDED_STATUSES else None,
        )


# The history each bulk-made pledge has been through: action, then SQL for the actor, the
# time, the remark and which pledges. Written with INSERT … SELECT: the database does the work.
_A = PledgeEvent.Action
HISTORY_STEPS = [
    (_A.CREATE, "p.created_by_id", "COALESCE(p.submitted_at, p.created_at)", "''", "1 = 1"),
    (_A.SUBMIT, "p.submitted_by_id", "p.submitted_at", "''", "p.submitted_at IS NOT NULL"),
    (_A.RETURN, "NULL", "p.submitted_at", "p.return_reason", "p.status = 'returned'"),
    (_A.APPROVE, "p.approved_by_id", "p.approved_at", "''", "p.approved_at IS NOT NULL"),
    (_A.PUBLISH, "p.approved_by_id", "p.published_at", "''", "p.published_at IS NOT NULL"),
    (_A.CLOSE, "p.closed_by_id", "p.published_at", "p.close_result", "p.status = 'closed'"),
    (
        _A.UNFULFILLED,
        "p.closed_by_id",
        "p.published_at",
        "p.close_result",
        "p.status = 'unfulfilled'",
    ),
]


def bulk_history(root: Organization) -> None:
    """History events for every pledge under `root`, in a few statements (seconds, not the
    millions of inserts the services would make)."""
    event, pledge, org = (m._meta.db_table for m in (PledgeEvent, Pledge, Organization))
    empty = "CAST('{}' AS jsonb)" if connection.vendor == "postgresql" else "'{}'"
    with connection.cursor() as cursor:
        for action, actor, at, remark, condition in HISTORY_STEPS:
            cursor.execute(
                f"INSERT INTO {event} (pledge_id, actor_id, action, remark, changes, at) "
                f"SELECT p.id, {actor}, %s, {remark}, {empty}, {at} FROM {pledge} p "
                f"WHERE p.owner_org_id IN (SELECT id FROM {org} WHERE path LIKE %s) "
                f"AND {condition} ORDER BY p.id",
                [str(action), root.path + "%"],
            )


def city_root() -> Organization | None:
    return Organization.objects.get_root_nodes().filter(name=CITY_NAME).first()


def build_city(
    *,
    plan: CityPlan,
    seed: int = 2024,
    today: datetime.date | None = None,
    log: Callable | None = None,
) -> tuple[Organization, bool]:
    """The city of the sources in bulk; returns (root, created). An existing city is kept."""
    existing = city_root()
    if existing:
        return existing, False
    with transaction.atomic():
        root = CityBuilder(plan=plan, seed=seed, today=today, log=log).build()
    # Fresh planner statistics after a bulk load; on PostgreSQL VACUUM also sets the visibility
    # map so counts can be index-only scans (it cannot run inside a transaction, e.g. in tests).
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    return root, True
