"""Demo and scale data for the pledge book; `manage.py seed_demo` calls these.

Two builders:
- `build_county` — a small, believable county whose every pledge goes through the services,
  so history, permissions and states are exactly what real use produces. For trying the app.
- `build_city` — the city of the sources (456 committees, 7,079 branches, 167,000 members,
  320,000 pledges) written with bulk inserts. It is a benchmark data set: going through the
  services would cost millions of queries (hours), and the services' checks add nothing to a
  data set whose only job is to have the right shape and size.

Both are deterministic (random.Random(seed)) and idempotent: an existing root is left alone.
"""

from __future__ import annotations

import datetime
import random
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import permissions, services
from .models import Member, Organization, Pledge, PledgeEvent, Position
from .office_admin import make_office_staff

User = get_user_model()
Level = Organization.Level
OrgField = Organization.Field
Kind = Member.Kind
Status = Pledge.Status

PASSWORD = "demo12345"
COUNTY_NAME = "青溪县委"
CITY_NAME = "江城市委"
CITY_BRANCHES = 7079
CITY_COMMITTEES = 456
CITY_MEMBERS = 167_000
CITY_PLEDGES = 320_000
SMALL_CITY_BRANCHES = 60
ALPHABET = Organization.alphabet
STEPLEN = Organization.steplen

# --- names and words -----------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
    "邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
MALE_NAMES = (
    "建国 建华 国强 志强 伟 勇 军 磊 涛 斌 浩 鹏 杰 明 超 刚 平 辉 文 海 峰 建军 永强 德明 春生 "
    "立新 振华 学文 子轩 宇航 家豪 思远 卫东 红兵 长青 金山 福生 保国 晓东 俊杰"
).split()
FEMALE_NAMES = (
    "秀英 桂英 玉兰 丽 敏 静 艳 娟 霞 芳 燕 红 玲 婷 雪梅 春梅 淑珍 慧 晓燕 丽华 美玲 欣怡 "
    "雨婷 佳琪 梦瑶 子涵 秀兰 凤英 金花 海燕"
).split()
PLACES = (
    "青山 白石 黄岭 龙泉 桃花 杨柳 清河 石门 新安 太平 长乐 永丰 金竹 凤凰 梅林 高桥 马鞍 双溪 "
    "柏树 松林 红旗 胜利 和平 东风 前进 向阳 大坪 小河 观音 铁炉 茶园 竹林 枫树 荷塘 杏花 李家 "
    "王家 陈家 张家 刘家 沙坪 水口 仙鹤 丰收 兴隆 石桥 长岭 柳溪 金鸡 玉泉"
).split()
BUREAUS = (
    "财政局 发展和改革局 自然资源局 住房和城乡建设局 农业农村局 人力资源和社会保障局 民政局 "
    "交通运输局 水利局 市场监督管理局 应急管理局 文化和旅游局 司法局 统计局 生态环境局"
).split()
DEPARTMENTS = "内科 外科 妇产科 儿科 护理 医技 行政后勤 急诊科 中医科 公共卫生科".split()
COMPANY_UNITS = "工程管理部 综合办公室 财务部 运营部 安全生产部 项目一部 项目二部 物业公司".split()
COMPANIES = "电子科技 新材料 食品 物流 建筑工程 纺织 电商 农业开发 汽车配件 光伏".split()

# Kinds of members by field, as weights: villages have many members without a post, offices
# many leading cadres, communities many retirees.
KIND_WEIGHTS: dict[str, dict[str, int]] = {
    OrgField.RURAL: {Kind.RURAL: 50, Kind.MOBILE: 15, Kind.RETIRED: 20, Kind.ON_DUTY: 12},
    OrgField.COMMUNITY: {
        Kind.RETIRED: 40,
        Kind.ON_DUTY: 35,
        Kind.MOBILE: 12,
        Kind.LEADING_CADRE: 3,
    },
    OrgField.GOVERNMENT: {Kind.ON_DUTY: 65, Kind.LEADING_CADRE: 25, Kind.RETIRED: 10},
    OrgField.SCHOOL: {Kind.ON_DUTY: 80, Kind.LEADING_CADRE: 10, Kind.RETIRED: 10},
    OrgField.MEDICAL: {Kind.ON_DUTY: 80, Kind.LEADING_CADRE: 10, Kind.RETIRED: 10},
    OrgField.STATE_ENTERPRISE: {Kind.ON_DUTY: 80, Kind.LEADING_CADRE: 15, Kind.MOBILE: 5},
    OrgField.NEW_ECONOMY: {Kind.ON_DUTY: 80, Kind.MOBILE: 20},
    OrgField.MASS: {Kind.ON_DUTY: 80, Kind.RETIRED: 20},
}

# 3–5 items for an organization, 2–3 实事好事 for a member, by field.
ORG_TITLES: dict[str, list[str]] = {
    OrgField.RURAL: [
        "村道硬化2公里，解决群众出行难",
        "修建村级文化广场",
        "完成农村饮水安全巩固提升工程",
        "发展村集体经济，年增收10万元",
        "建立留守老人关爱服务站",
        "整治村庄人居环境，清理垃圾死角",
        "修缮山塘水库3座",
        "安装太阳能路灯60盏",
    ],
    OrgField.COMMUNITY: [
        "建设社区居家养老服务中心",
        "协调老旧小区加装电梯4部",
        "开设“四点半课堂”服务双职工家庭",
        "全年办理群众诉求100件以上",
        "整治小区停车难，新增停车位80个",
        "建立网格化服务队，每月走访居民",
        "打造15分钟便民服务圈",
    ],
    OrgField.GOVERNMENT: [
        "推行“一窗受理”，办事时限压缩30%",
        "公开办事流程和服务承诺，接受群众监督",
        "人大代表建议和政协提案100%按时办结",
        "开展“进村入户”走访，解决实际问题20件",
        "窗口服务群众满意率达到98%",
        "精简审批材料，推行“最多跑一次”",
    ],
    OrgField.SCHOOL: [
        "资助家庭困难学生，做到应助尽助",
        "建立家校联系制度，教师家访全覆盖",
        "开设课后延时服务",
        "开展校园安全隐患排查整治",
        "组织党员教师送教下乡",
    ],
    OrgField.MEDICAL: [
        "开展送医下乡义诊12次",
        "推行预约诊疗，缩短门诊候诊时间",
        "为65岁以上老人免费体检",
        "建立家庭医生签约服务团队",
        "开通急诊绿色通道",
    ],
    OrgField.STATE_ENTERPRISE: [
        "确保城区道路改造工程按期完工",
        "农民工工资按时足额发放",
        "全年安全生产零事故",
        "开展技术攻关，降低成本5%",
        "组织党员突击队参与防汛抢险",
    ],
    OrgField.NEW_ECONOMY: [
        "吸纳本地劳动力就业20人",
        "开展员工技能培训4期",
        "组织员工献爱心，结对帮扶困难家庭",
        "建立党员先锋岗，提升产品合格率",
    ],
}
ORG_TITLES[OrgField.MASS] = ORG_TITLES[OrgField.COMMUNITY]

MEMBER_TITLES: dict[str, list[str]] = {
    OrgField.RURAL: [
        "帮扶困难户2户脱困增收",
        "帮助村民发展特色种植",
        "调解邻里纠纷，做到小事不出村",
        "为留守儿童辅导功课",
        "义务宣传惠农政策",
        "带头参与垃圾分类和庭院整治",
        "协助收缴城乡居民医保",
        "为村民代办证照事项",
    ],
    OrgField.COMMUNITY: [
        "结对帮扶独居老人2名",
        "参加社区志愿巡逻，每月2次",
        "办理群众诉求，件件有回音",
        "带头开展垃圾分类宣传",
        "为居民提供法律咨询",
        "参与楼道清理和环境整治",
    ],
    OrgField.GOVERNMENT: [
        "办理群众诉求按时办结率100%",
        "联系帮扶困难户2户",
        "深入基层调研，形成调研报告1篇",
        "带头学习业务知识，提高办事效率",
        "为企业上门服务，解决困难问题",
    ],
    OrgField.SCHOOL: [
        "结对辅导学困生3名",
        "家访学生20户",
        "上好一堂示范课",
        "指导青年教师1名",
        "关爱留守儿童，每月谈心一次",
    ],
    OrgField.MEDICAL: [
        "为慢性病患者提供随访服务",
        "开展健康讲座4次",
        "带教规培医生2名",
        "参加下乡义诊，每季度1次",
    ],
    OrgField.STATE_ENTERPRISE: [
        "开展师带徒，带出技术骨干1名",
        "排查安全隐患，及时整改",
        "提出合理化建议3条",
        "参加志愿服务，每季度1次",
    ],
    OrgField.NEW_ECONOMY: [
        "帮助新员工提升技能",
        "为困难职工捐款捐物",
        "带头执行安全操作规程",
        "参加社区志愿服务",
    ],
}
MEMBER_TITLES[OrgField.MASS] = MEMBER_TITLES[OrgField.COMMUNITY]

FAULT_TITLES = [
    "改正工作作风不实的缺点",
    "改正理论学习不够深入的不足",
    "克服服务群众不够主动的问题",
    "改正工作方法简单的缺点",
    "克服办事拖拉的毛病",
    "改正联系群众不紧密的问题",
    "克服开拓创新意识不强的不足",
]
MEASURES = [
    "制定工作计划，明确责任人，每月推进一次，建立台账逐项落实",
    "走访群众摸清底数，列出清单，按月推进，接受群众监督",
    "争取上级支持，落实资金，倒排工期，挂图作战",
    "每周安排固定时间，坚持记录，季度自查，及时调整",
    "结对联系，定期回访，发现问题当场解决",
]
FAULT_MEASURES = [
    "每月参加集中学习，撰写心得体会，请身边党员监督提醒",
    "坚持深入一线，每月走访群众不少于4次，主动听取意见",
    "对照问题清单逐项整改，每季度向支部汇报整改情况",
]
EXPECTED = [
    "群众满意率达到95%以上",
    "按期完成，群众看得见、摸得着",
    "困难问题得到解决，群众满意",
    "形成长效机制，群众评价好",
]
PROGRESS_TEXTS = [
    "走访群众{a}户，收集意见建议{b}条，已逐条登记",
    "召开专题会议研究推进，已完成计划的{p}%",
    "协调资金{a}万元，已开工建设",
    "已帮助{b}户群众解决实际困难，群众反映良好",
    "本月按计划推进，已完成阶段目标，照片资料已存档",
    "对照承诺自查，整改落实{b}项，请支部委员监督",
]
CLOSE_RESULTS = [
    "已按期完成，群众满意",
    "经验收合格，群众满意度调查满意率96%",
    "承诺事项全部兑现，已在公开栏公示",
]
UNFULFILLED_REASONS = [
    "受资金未到位影响，未能按期完成",
    "因项目规划调整，未能兑现，已向群众说明",
    "落实措施不力，未能按期完成，已进行再承诺",
]
RETURN_REASONS = [
    "承诺内容不够具体，请量化目标后重新提交",
    "完成时限不明确，请补充",
    "承诺事项与群众需求结合不够紧，请修改",
]


def display_width(text: str) -> int:
    """Terminal width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def person_name(rng: random.Random, taken: set[str] | None = None) -> tuple[str, str]:
    """A Chinese name and gender; `taken` keeps names unique within one branch."""
    for _attempt in range(50):
        gender = Member.Gender.FEMALE if rng.random() < 0.38 else Member.Gender.MALE
        given = rng.choice(FEMALE_NAMES if gender == Member.Gender.FEMALE else MALE_NAMES)
        name = rng.choice(SURNAMES) + given
        if taken is None or name not in taken:
            break
    else:
        name = f"{name}{len(taken)}"
    if taken is not None:
        taken.add(name)
    return name, gender


def phone_number(rng: random.Random) -> str:
    return (
        "1"
        + rng.choice(("38", "39", "58", "59", "86", "87", "35", "36"))
        + f"{rng.randrange(10**8):08d}"
    )


def member_kind(rng: random.Random, org_field: str) -> str:
    weights = KIND_WEIGHTS[org_field]
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- logins --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    organization: str


def _role_label(kind: str, org: Organization) -> str:
    if kind == Position.Kind.SECRETARY:
        if org.level in (Level.COMMITTEE, Level.WORK_COMMITTEE):
            return _("党委书记")
        if org.level == Level.GENERAL_BRANCH:
            return _("总支书记")
        return _("支部书记")
    return str(Position.Kind(kind).label)


ROLE_ORDER = {
    Position.Kind.OFFICE: 1,
    Position.Kind.LEADER_CONTACT: 2,
    Position.Kind.LEADER_SUPERVISE: 3,
    Position.Kind.SECRETARY: 4,
}


def demo_logins(root: Organization) -> list[Login]:
    """One row per login of the demo under `root`, read back from the database."""
    logins: list[Login] = []
    admin = User.objects.filter(username="admin", is_superuser=True).first()
    if admin:
        # An admin made before the demo keeps its own password.
        password = PASSWORD if admin.check_password(PASSWORD) else _("（原密码）")
        logins.append(Login("admin", password, _("超级管理员"), _("全部")))
    by_user: dict[int, list[Position]] = {}
    positions = (
        Position.objects.filter(organization__path__startswith=root.path)
        .select_related("user", "organization")
        .order_by("organization__path", "kind")
    )
    for position in positions:
        by_user.setdefault(position.user_id, []).append(position)
    rows = []
    for held in by_user.values():
        first = min(held, key=lambda p: (ROLE_ORDER[p.kind], p.organization.path))
        others = {p.organization_id for p in held if p.kind == first.kind} - {first.organization_id}
        where = first.organization.name
        if others:
            where += _("等%(n)d个党组织") % {"n": len(others) + 1}
        sort = (ROLE_ORDER[first.kind], first.organization.depth, first.organization.path)
        rows.append(
            (
                sort,
                Login(
                    first.user.username,
                    PASSWORD,
                    _role_label(first.kind, first.organization),
                    where,
                ),
            )
        )
    listed = set(by_user)
    members = (
        Member.objects.filter(organization__path__startswith=root.path, user__isnull=False)
        .exclude(user_id__in=listed)
        .select_related("user", "organization")
        .order_by("organization__path", "id")
    )
    for member in members:
        role = _("预备党员") if member.probationary else _("党员")
        rows.append(
            (
                (9, 0, member.organization.path),
                Login(member.user.username, PASSWORD, role, member.organization.name),
            )
        )
    logins.extend(login for _sort, login in sorted(rows, key=lambda r: r[0]))
    return logins


def format_logins(logins: Iterable[Login]) -> str:
    header = Login(_("用户名"), _("密码"), _("角色"), _("党组织"))
    rows = [header, *logins]
    widths = [
        max(display_width(getattr(r, f)) for r in rows) for f in ("username", "password", "role")
    ]
    lines = []
    for i, r in enumerate(rows):
        cells = [pad(r.username, widths[0]), pad(r.password, widths[1]), pad(r.role, widths[2])]
        lines.append("  ".join([*cells, r.organization]))
        if i == 0:
            lines.append("-" * (sum(widths) + 6 + 20))
    return "\n".join(lines)


def _ensure_admin(password_hash: str) -> None:
    if not User.objects.filter(username="admin").exists():
        User.objects.create(
            username="admin",
            password=password_hash,
            first_name=_("系统管理员"),
            is_staff=True,
            is_superuser=True,
        )


# --- the county, through the services -----------------------------------------------------


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
        user = User.objects.create(username=username, first_name=name, password=self.password)
        self.users[username] = user
        return user

    def build(self) -> Organization:
        spec = county_spec()
        root = Organization.objects.add_root(
            create_kwargs={"name": spec.name, "level": spec.level, "field": spec.field}
        )
        office = self.user("office")
        Position.objects.create(user=office, organization=root, kind=Position.Kind.OFFICE)
        make_office_staff(office)  # Django admin is the office's tool for users and rosters
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
        for _spec, org in orgs:
            if org.level == Level.BRANCH:
                self._add_pledges(org)
        return root

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
        """Who keeps the book: the branch secretary's login, else the town's, else the office."""
        for path in [org.path, *reversed(org.ancestor_paths())]:
            found = next((u for pk, u in self.secretary_of.items() if self._path(pk) == path), None)
            if found:
                return found
        return self.users["office"]

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
            if permissions.can_approve_pledge(user, pledge):
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
            services.progress_add(pledge=pledge, by=actor, date=day, text=text)
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
        _ensure_admin(builder.password)
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


# --- the city, in bulk ---------------------------------------------------------------------


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


class CityBuilder:
    """Bulk rows with paths computed here: treebeard's add_child costs queries per node."""

    BATCH = 2000

    def __init__(self, *, plan: CityPlan, seed: int, today: datetime.date | None = None, log=None):
        self.plan = plan
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        self.log = log or (lambda msg: None)
        self.now = timezone.now()
        self.year_start = timezone.make_aware(datetime.datetime(self.today.year, 1, 5, 9))

    def build(self) -> Organization:
        t0 = time.monotonic()
        orgs = self._tree()
        root = orgs[0]
        self.log(f"  tree: {len(orgs)} organizations ({time.monotonic() - t0:.1f}s)")
        users = self._users(root, orgs)
        self.log(f"  users and positions ({time.monotonic() - t0:.1f}s)")
        self._members_and_pledges(users)
        self.log(f"  members and pledges ({time.monotonic() - t0:.1f}s)")
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

        root = node(None, next_root_step(), CITY_NAME, Level.COMMITTEE, OrgField.GOVERNMENT)
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
        password = make_password(PASSWORD)
        names = ["city_office", "city_leader"] + [f"county_office{i:02d}" for i in range(1, 16)]
        names += [f"city_secretary{i:02d}" for i in range(1, 21)]
        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        User.objects.bulk_create(
            [
                User(username=n, first_name=person_name(self.rng)[0], password=password)
                for n in names
                if n not in existing
            ],
            batch_size=self.BATCH,
        )
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        _ensure_admin(password)
        positions = [
            Position(user=users["city_office"], organization=root, kind=Position.Kind.OFFICE)
        ]
        counties = [o for o in orgs if o.depth == root.depth + 1]
        for i, county in enumerate(counties):
            office = users[f"county_office{i % 15 + 1:02d}"]
            positions.append(Position(user=office, organization=county, kind=Position.Kind.OFFICE))
            positions.append(
                Position(
                    user=users["city_leader"],
                    organization=county,
                    kind=Position.Kind.LEADER_CONTACT,
                )
            )
        committees = [o for o in orgs if o.depth == root.depth + 2]
        for i, committee in enumerate(committees):
            secretary = users[f"city_secretary{i % 20 + 1:02d}"]
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
        creator = users["city_office"]
        secretaries = [users[f"city_secretary{i:02d}"] for i in range(1, 21)]
        cursor = 0
        chunk = 400
        for start in range(0, len(self.branches), chunk):
            branches = self.branches[start : start + chunk]
            members: list[Member] = []
            for branch, size in zip(branches, sizes[start : start + chunk], strict=True):
                taken: set[str] = set()
                for _i in range(size):
                    name, gender = person_name(r, taken)
                    members.append(
                        Member(
                            organization_id=branch.pk,
                            name=name,
                            gender=gender,
                            kind=member_kind(r, branch.field),
                            probationary=r.random() < 0.05,
                            phone=phone_number(r),
                        )
                    )
            Member.objects.bulk_create(members, batch_size=self.BATCH)
            pledges: list[Pledge] = []
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
            Pledge.objects.bulk_create(pledges, batch_size=self.BATCH)
            self.log(f"  {start + len(branches)}/{len(self.branches)} branches")

    def _pledge(self, branch, member, title, creator, secretaries, fault=False) -> Pledge:
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
        return Pledge(
            owner_org_id=branch.pk if branch else member.organization_id,
            owner_member=member,
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
            created_by=creator,
            submitted_by=creator if status != Status.DRAFT else None,
            submitted_at=submitted_at if status != Status.DRAFT else None,
            approved_by=secretary if filed else None,
            approved_at=approved_at if filed else None,
            published_at=published_at if published else None,
            closed_by=secretary if status in Pledge.ENDED_STATUSES else None,
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


# --- reset ---------------------------------------------------------------------------------


class DemoError(Exception):
    """Demo data cannot be built or removed; the message says why, in Chinese."""


@transaction.atomic
def reset_demo() -> None:
    """Remove the county and the city with their people and pledges. Rows elsewhere that
    protect them stop the reset with a message rather than being deleted behind the user."""
    for root in Organization.objects.get_root_nodes().filter(name__in=[COUNTY_NAME, CITY_NAME]):
        subtree = Organization.objects.filter(path__startswith=root.path)
        positions = Position.objects.filter(organization__in=subtree)
        members = Member.objects.filter(organization__in=subtree)
        users = set(positions.values_list("user_id", flat=True))
        users |= set(members.filter(user__isnull=False).values_list("user_id", flat=True))
        pledges = Pledge.objects.filter(owner_org__in=subtree)
        try:
            pledges.update(carried_from=None)
            pledges.delete()
            members.delete()
            positions.delete()
            subtree.delete()
            User.objects.filter(pk__in=users, is_superuser=False).delete()
        except ProtectedError as e:
            raise DemoError(
                _("其他数据仍引用演示数据，无法重置：%(e)s 请删除数据库后重新运行。")
                % {"e": e.args[0]}
            ) from e
