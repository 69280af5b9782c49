"""The county, built through the services so its history and states are what real use produces."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Calendar, Member, Organization, Pledge, Position
from ..rules.pledge import can_approve_pledge
from ..services import pledge as services
from ..services.calendar import CalendarContent, calendar_set
from ..services.office import office_staff_grant
from ..services.progress import progress_add
from .logins import ensure_admin
from .names import (
    CLOSE_RESULTS,
    COUNTY_NAME,
    EXPECTED,
    FAULT_MEASURES,
    FAULT_TITLES,
    MEASURES,
    MEMBER_TITLES,
    ORG_TITLES,
    PASSWORD,
    PROGRESS_TEXTS,
    RETURN_REASONS,
    UNFULFILLED_REASONS,
    Kind,
    Level,
    OrgField,
    Status,
    User,
    member_kind,
    person_name,
    phone_number,
)
from .reset import DemoError

# The committee of the demo county on the bureau's half-yearly 好/中/差 calendar.
BUREAU_NAME = "县教育局党委"


@dataclass
class Spec:
    """One organization of the demo county; `slug` names its logins."""

    name: str
    level: str
    field: str
    members: int = 0
    slug: str = ""
    secretary_login: bool = False
    member_logins: int = 0
    retirees: bool = False
    children: list[Spec] = dc_field(default_factory=list)


# Every demo login has an address here, so `make run` shows mail in the outbox.
EMAIL_DOMAIN = "example.gov.cn"


def _b(name, field_, members, slug="", secretary_login=False, member_logins=0, **kw) -> Spec:
    return Spec(name, Level.BRANCH, field_, members, slug, secretary_login, member_logins, **kw)


def county_spec() -> Spec:
    R, C, G, S, M, E, N = (
        OrgField.RURAL,
        OrgField.COMMUNITY,
        OrgField.GOVERNMENT,
        OrgField.SCHOOL,
        OrgField.MEDICAL,
        OrgField.STATE_ENTERPRISE,
        OrgField.NEW_ECONOMY,
    )
    shimen = _b("石门村党支部", R, 4, "shimen", secretary_login=True, member_logins=1)
    shimen.children = [
        Spec("石门村第一党小组", Level.GROUP, R, 6),
        Spec("石门村第二党小组", Level.GROUP, R, 5),
    ]
    return Spec(
        COUNTY_NAME,
        Level.COMMITTEE,
        G,
        slug="county",
        children=[
            Spec(
                "城关镇党委",
                Level.COMMITTEE,
                C,
                slug="chengguan",
                secretary_login=True,
                children=[
                    _b("东街社区党支部", C, 12, "dongjie", secretary_login=True, member_logins=2),
                    _b("西街社区党支部", C, 9),
                    _b("桃源村党支部", R, 11, "taoyuan", secretary_login=True, member_logins=1),
                    _b("柳林村党支部", R, 7),
                ],
            ),
            Spec(
                "青石镇党委",
                Level.COMMITTEE,
                R,
                children=[shimen, _b("上湾村党支部", R, 8), _b("下湾村党支部", R, 6)],
            ),
            Spec(
                "白沙乡党委",
                Level.COMMITTEE,
                R,
                children=[_b("白沙村党支部", R, 9), _b("龙潭村党支部", R, 5)],
            ),
            Spec(
                "县教育局党委",
                Level.COMMITTEE,
                S,
                children=[
                    Spec(
                        "县第一中学党总支",
                        Level.GENERAL_BRANCH,
                        S,
                        children=[
                            _b(
                                "县第一中学高中部党支部",
                                S,
                                14,
                                "yizhong",
                                secretary_login=True,
                                member_logins=1,
                            ),
                            _b("县第一中学初中部党支部", S, 10),
                        ],
                    ),
                    _b("县实验小学党支部", S, 8),
                ],
            ),
            Spec(
                "县人民医院党委",
                Level.COMMITTEE,
                M,
                children=[
                    _b("县人民医院内科党支部", M, 10, "neike", secretary_login=True),
                    _b("县人民医院外科党支部", M, 9),
                ],
            ),
            Spec(
                "县直机关工委",
                Level.WORK_COMMITTEE,
                G,
                children=[
                    Spec(
                        "县财政局机关党总支",
                        Level.GENERAL_BRANCH,
                        G,
                        children=[
                            _b(
                                "县财政局机关第一党支部",
                                G,
                                8,
                                "caizheng",
                                secretary_login=True,
                                member_logins=1,
                            ),
                            _b("县财政局机关第二党支部", G, 6),
                        ],
                    ),
                    Spec(
                        "县自然资源局机关党总支",
                        Level.GENERAL_BRANCH,
                        G,
                        children=[
                            _b("县自然资源局机关党支部", G, 7),
                            _b("县自然资源局离退休干部党支部", G, 6, retirees=True),
                        ],
                    ),
                ],
            ),
            Spec(
                "县城市建设投资集团有限公司党委",
                Level.COMMITTEE,
                E,
                children=[
                    _b("城投集团工程管理部党支部", E, 9, "chengtou", secretary_login=True),
                    _b("城投集团综合办公室党支部", E, 6),
                ],
            ),
            Spec(
                "县两新组织党工委",
                Level.WORK_COMMITTEE,
                N,
                children=[
                    _b(
                        "青溪电子科技有限公司党支部",
                        N,
                        7,
                        "dianzi",
                        secretary_login=True,
                        member_logins=1,
                    ),
                    _b("县律师行业党支部", N, 5),
                ],
            ),
        ],
    )


# Every status appears at least once: the first pledges of the county take these in turn.
ALL_STATUSES = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.RETURNED,
    Status.APPROVED,
    Status.PUBLISHED,
    Status.IN_PROGRESS,
    Status.CLOSED,
    Status.UNFULFILLED,
]
STATUS_WEIGHTS = {
    Status.DRAFT: 6,
    Status.SUBMITTED: 8,
    Status.RETURNED: 4,
    Status.APPROVED: 7,
    Status.PUBLISHED: 14,
    Status.IN_PROGRESS: 32,
    Status.CLOSED: 21,
    Status.UNFULFILLED: 8,
}


class CountyBuilder:
    """Builds the demo county; pledges move through the services like a real year."""

    def __init__(self, *, seed: int, today: datetime.date | None = None):
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.password = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        self.taken_names: dict[int, set[str]] = {}
        self.users: dict[str, User] = {}
        self.secretary_of: dict[int, User] = {}  # organization id → secretary login
        self.members_of: dict[int, list[Member]] = {}
        self.supervisors: list[User] = []
        self.status_turn = 0

    # users and the tree

    def user(self, username: str, name: str = "") -> User:
        name = name or person_name(self.rng)[0]
        user = User.objects.create(
            username=username,
            first_name=name,
            password=self.password,
            email=f"{username}@{EMAIL_DOMAIN}",
        )
        self.users[username] = user
        return user

    def build(self) -> Organization:
        spec = county_spec()
        root = Organization.objects.add_root(
            create_kwargs={"name": spec.name, "level": spec.level, "field": spec.field}
        )
        office = self.user("office")
        Position.objects.create(user=office, organization=root, kind=Position.Kind.OFFICE)
        office_staff_grant(user=office)  # Django admin is the office's tool for users and rosters
        self.supervisors = [office]
        orgs: list[tuple[Spec, Organization]] = []
        self._add_children(root, spec, orgs)
        by_name = {s.name: o for s, o in orgs}
        contact = self.user("leader_contact")
        for name in ("城关镇党委", "石门村党支部"):  # 谁联系、谁点评: a town and a 联系点
            Position.objects.create(
                user=contact, organization=by_name[name], kind=Position.Kind.LEADER_CONTACT
            )
        supervise = self.user("leader_supervise")
        for name in ("县教育局党委", "县人民医院党委"):
            Position.objects.create(
                user=supervise, organization=by_name[name], kind=Position.Kind.LEADER_SUPERVISE
            )
        for s, org in orgs:
            self._add_people(s, org)
        self._bureau_calendar(by_name[BUREAU_NAME], office)
        for _spec, org in orgs:
            if org.level == Level.BRANCH:
                self._add_pledges(org)
        return root

    def _bureau_calendar(self, bureau: Organization, office) -> None:
        """A bureau on its own rhythm (source 003): half-yearly pledges, reviews and mass
        evaluations, graded 好/中/差, filed by 7月15日 and 次年1月15日. Set before the year's
        first pledge: a year under way keeps its calendar."""
        year = self.today.year
        calendar_set(
            organization=bureau,
            year=year,
            content=CalendarContent(
                pledge_period=Calendar.PledgePeriod.HALF,
                review_cadence=Calendar.ReviewCadence.HALF,
                mass_evaluation_cadence=Calendar.EvaluationCadence.HALF,
                grade_scale=Calendar.GradeScale.THREE,
                filing_first_half=datetime.date(year, 7, 15),
                filing_second_half=datetime.date(year + 1, 1, 15),
            ),
            version=0,
            by=office,
        )

    def _add_children(self, parent: Organization, spec: Spec, out: list) -> None:
        for child in spec.children:
            parent.refresh_from_db()
            org = Organization.objects.add_child(
                parent,
                create_kwargs={"name": child.name, "level": child.level, "field": child.field},
            )
            out.append((child, org))
            if child.level in (Level.COMMITTEE, Level.WORK_COMMITTEE) and child.secretary_login:
                secretary = self.user(f"sec_{child.slug}")
                Position.objects.create(
                    user=secretary, organization=org, kind=Position.Kind.SECRETARY
                )
                self.secretary_of[org.pk] = secretary
                self.supervisors.insert(0, secretary)
            self._add_children(org, child, out)

    def _add_people(self, spec: Spec, org: Organization) -> None:
        if not spec.members:
            return
        taken = self.taken_names.setdefault(org.pk, set())
        members = []
        for i in range(spec.members):
            name, gender = person_name(self.rng, taken)
            if spec.retirees:
                kind = Kind.RETIRED
            elif i == 0 and org.level == Level.BRANCH:  # the secretary
                kind = Kind.LEADING_CADRE if spec.field == OrgField.GOVERNMENT else Kind.ON_DUTY
            else:
                kind = member_kind(self.rng, spec.field)
            member = Member(
                organization=org,
                name=name,
                gender=gender,
                kind=kind,
                probationary=i > 0 and self.rng.random() < 0.1,
                phone=phone_number(self.rng),
            )
            if i == 0 and spec.secretary_login:
                member.user = self.user(f"sec_{spec.slug}", name)
                Position.objects.create(
                    user=member.user, organization=org, kind=Position.Kind.SECRETARY
                )
                self.secretary_of[org.pk] = member.user
            elif 0 < i <= spec.member_logins:
                member.user = self.user(f"member_{spec.slug}{i}", name)
            member.save()
            members.append(member)
        self.members_of[org.pk] = members

    # pledges

    def keeper(self, org: Organization) -> User:
        """Who keeps the book: the branch's own secretary's login, else the office (a town's
        secretary does not keep a branch's book: rules.organization.can_manage_organization)."""
        found = next((u for pk, u in self.secretary_of.items() if self._path(pk) == org.path), None)
        return found or self.users["office"]

    def _path(self, pk: int) -> str:
        if not hasattr(self, "_paths"):
            self._paths = dict(Organization.objects.values_list("pk", "path"))
        return self._paths[pk]

    def next_status(self) -> str:
        if self.status_turn < len(ALL_STATUSES):
            self.status_turn += 1
            return ALL_STATUSES[self.status_turn - 1]
        return self.rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]

    def _add_pledges(self, branch: Organization) -> None:
        keeper = self.keeper(branch)
        titles = self.rng.sample(ORG_TITLES[branch.field], k=self.rng.randint(3, 4))
        for title in titles:
            kind = self.rng.choice([Pledge.Kind.PRACTICAL, Pledge.Kind.SERVICE])
            self.pledge(branch, None, kind, title, actor=keeper, keeper=keeper)
        groups = Organization.objects.filter(path__startswith=branch.path)
        for org in groups:
            for member in self.members_of.get(org.pk, []):
                if member.user_id is None and self.rng.random() < 0.15:
                    continue  # 全覆盖 gaps: some members have not pledged yet
                actor = member.user or keeper
                good = self.rng.sample(MEMBER_TITLES[branch.field], k=self.rng.choice([1, 2, 2]))
                for title in good:
                    kind = self.rng.choice([Pledge.Kind.PRACTICAL, Pledge.Kind.SERVICE])
                    self.pledge(org, member, kind, title, actor=actor, keeper=keeper)
                if self.rng.random() < 0.6:
                    title = self.rng.choice(FAULT_TITLES)
                    self.pledge(org, member, Pledge.Kind.FAULT, title, actor=actor, keeper=keeper)

    def later(self, low: int, high: int) -> datetime.date:
        """A deadline ahead, within the pledge year ("一年一诺"): late in the year, 年底前."""
        ahead = self.today + datetime.timedelta(days=self.rng.randint(low, high))
        return min(ahead, datetime.date(self.today.year, 12, 31))

    def deadline_for(self, status: str) -> datetime.date:
        r, today = self.rng, self.today
        if status in (Status.PUBLISHED, Status.IN_PROGRESS) and r.random() < 0.3:
            return today - datetime.timedelta(days=r.randint(3, 60))  # overdue
        if status == Status.UNFULFILLED:
            return today - datetime.timedelta(days=r.randint(5, 90))
        if status == Status.CLOSED:
            return r.choice([today - datetime.timedelta(days=r.randint(0, 60)), self.later(0, 60)])
        return self.later(20, 200)

    def approver(self, pledge: Pledge, keeper: User) -> User:
        for user in [keeper, *self.supervisors]:
            if can_approve_pledge(user, pledge):
                return user
        raise RuntimeError(f"nobody can approve {pledge}")  # a bug in the spec, not in use

    def pledge(self, org, member, kind, title, *, actor: User, keeper: User) -> Pledge:
        r = self.rng
        status = self.next_status()
        fault = kind == Pledge.Kind.FAULT
        content = services.PledgeContent(
            kind=kind,
            title=title,
            measures=r.choice(FAULT_MEASURES if fault else MEASURES),
            deadline=self.deadline_for(status),
            expected_result=r.choice(EXPECTED),
        )
        pledge = services.pledge_create(
            by=actor, owner_org=org, owner_member=member, content=content, year=self.today.year
        )
        if status == Status.DRAFT:
            return pledge
        services.pledge_submit(pledge=pledge, by=actor)
        if status == Status.SUBMITTED:
            return pledge
        approver = self.approver(pledge, keeper)
        if status == Status.RETURNED:
            services.pledge_return(pledge=pledge, by=approver, reason=r.choice(RETURN_REASONS))
            return pledge
        services.pledge_approve(pledge=pledge, by=approver)
        if status == Status.APPROVED:
            return pledge
        services.pledge_publish(pledge=pledge, by=keeper)
        if status == Status.PUBLISHED:
            return pledge
        days = sorted(r.sample(range(1, 120), k=r.randint(1, 3)), reverse=True)
        for ago in days:
            text = r.choice(PROGRESS_TEXTS).format(
                a=r.randint(5, 40), b=r.randint(2, 12), p=r.randint(20, 90)
            )
            day = self.today - datetime.timedelta(days=ago)
            progress_add(pledge=pledge, by=actor, date=day, text=text)
        if status == Status.CLOSED:
            closed_on = self.today - datetime.timedelta(days=r.randint(0, min(days)))
            services.pledge_close(
                pledge=pledge, by=keeper, result=r.choice(CLOSE_RESULTS), closed_on=closed_on
            )
        elif status == Status.UNFULFILLED:
            services.pledge_mark_unfulfilled(
                pledge=pledge, by=keeper, reason=r.choice(UNFULFILLED_REASONS)
            )
            if r.random() < 0.6:  # 再承诺: carried on as a new draft, some already submitted
                deadline = self.later(30, 120)
                new = services.pledge_carry_over(pledge=pledge, by=keeper, deadline=deadline)
                if r.random() < 0.5:
                    services.pledge_submit(pledge=new, by=keeper)
        return pledge


def build_county(
    *, seed: int = 2024, today: datetime.date | None = None
) -> tuple[Organization, bool]:
    """The demo county; returns (root, created). An existing county is left as it is."""
    existing = Organization.objects.get_root_nodes().filter(name=COUNTY_NAME).first()
    if existing:
        return existing, False
    taken = sorted(
        User.objects.filter(username__in=county_usernames()).values_list("username", flat=True)
    )
    if taken:
        raise DemoError(
            _("以下用户名已被占用，无法生成示范县：%(names)s") % {"names": "、".join(taken)}
        )
    with transaction.atomic():
        builder = CountyBuilder(seed=seed, today=today)
        ensure_admin(builder.password)
        root = builder.build()
    return root, True


def county_usernames() -> list[str]:
    names = ["office", "leader_contact", "leader_supervise"]

    def walk(spec: Spec) -> None:
        if spec.secretary_login:
            names.append(f"sec_{spec.slug}")
        names.extend(f"member_{spec.slug}{i}" for i in range(1, spec.member_logins + 1))
        for child in spec.children:
            walk(child)

    walk(county_spec())
    return names
