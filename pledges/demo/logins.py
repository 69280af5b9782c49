"""The demo logins: who can sign in as what, printed after seeding."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import Member, Organization, Position
from .names import PASSWORD, Level, User, display_width, pad


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


LOGINS_PER_ROLE = 25
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
    # Only the first logins of each member role are shown: those and a count per role, not
    # every member of a province (hundreds of thousands of rows).
    counted: dict[str, int] = {}
    first: list[Member] = []
    for probationary in (False, True):
        role = _("预备党员") if probationary else _("党员")
        of_role = members.filter(probationary=probationary)
        first += of_role[:LOGINS_PER_ROLE]
        counted[role] = of_role.count()
    for member in sorted(first, key=lambda m: (m.organization.path, m.pk)):
        role = _("预备党员") if member.probationary else _("党员")
        rows.append(
            (
                (9, 0, member.organization.path),
                Login(member.user.username, PASSWORD, role, member.organization.name),
            )
        )
    shown: dict[str, int] = {}
    for _sort, login in sorted(rows, key=lambda r: r[0]):
        shown[login.role] = shown.get(login.role, 0) + 1
        if shown[login.role] <= LOGINS_PER_ROLE:
            logins.append(login)
    shown.update({role: n for role, n in counted.items() if n})
    for role, n in shown.items():
        # The city has 140,000 logins: a sample of each role, and how many more there are.
        if n > LOGINS_PER_ROLE:
            more = _("另有 %(n)d 个账号，密码相同") % {"n": n - LOGINS_PER_ROLE}
            logins.append(Login("…", PASSWORD, role, more))
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


def ensure_admin(password_hash: str) -> None:
    if not User.objects.filter(username="admin").exists():
        User.objects.create(
            username="admin",
            password=password_hash,
            first_name=_("系统管理员"),
            is_staff=True,
            is_superuser=True,
        )
