"""Checking roster rows: every cell, then duplicates within the file and against what is stored."""

from __future__ import annotations

import datetime
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.xlsx_import import NO, YES, Checker, RowError

from ...models import Member, Organization
from ...rules.organization import can_import_roster
from .shape import LAYOUT, Row

ID_CARD_RE = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")


def id_card_problem(value: str) -> str | None:
    """Why an 18-character resident ID number is wrong, or None (GB 11643: MOD 11-2)."""
    if not ID_CARD_RE.match(value):
        return _("应为 18 位（前 17 位数字，最后一位数字或 X）")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("出生日期部分无效")
    if not datetime.date(1900, 1, 1) <= birth <= timezone.localdate():
        return _("出生日期部分无效")
    total = sum(int(d) * w for d, w in zip(value[:17], ID_WEIGHTS, strict=True))
    if "10X98765432"[total % 11] != value[17]:
        return _("校验位不正确，请核对")
    return None


def _checker(row: Row, errors: list[RowError]) -> Checker:
    return Checker(row, errors, LAYOUT)


def check_cells(row: Row, errors: list[RowError], orgs: OrgLookup) -> None:
    c = _checker(row, errors)
    row.name = c.text("name")
    if not row.name:
        c.error("name", _("不能为空"))
    elif len(row.name) > 50:
        c.error("name", _("不能超过 50 个字"))

    row.gender = c.choice("gender", _("性别"), Member.Gender.choices)
    row.kind = c.choice("kind", _("类别"), Member.Kind.choices)

    probationary = c.text("probationary")
    if probationary in ("", NO):
        row.probationary = False
    elif probationary == YES:
        row.probationary = True
    else:
        c.error(
            "probationary",
            _("“%(value)s” 无效，应为：是、否（空白视为否）") % {"value": probationary},
        )

    org_name = c.text("org")
    found, problem = orgs.find(org_name)
    if problem:
        c.error("org", problem)
    row.org = found

    row.phone = c.text("phone")
    if row.phone and not PHONE_RE.match(row.phone):
        c.error("phone", _("“%(value)s” 不是有效的电话号码") % {"value": row.phone})

    raw_id = c.raw("id_card")
    if isinstance(raw_id, int | float) and not isinstance(raw_id, bool):
        c.error("id_card", _("请将身份证号设置为文本格式后重新填写（数字格式会丢失末几位）"))
    else:
        row.id_card = c.text("id_card").upper().replace(" ", "")
        problem = id_card_problem(row.id_card) if row.id_card else None
        if problem:
            message = _("“%(value)s” %(problem)s") % {"value": row.id_card, "problem": problem}
            c.error("id_card", message)

    row.username = c.text("username")
    if row.username:
        try:
            UnicodeUsernameValidator()(row.username)
            if len(row.username) > 150:
                raise ValidationError("too long")
        except ValidationError:
            c.error(
                "username",
                _("“%(value)s” 不是有效的登录账号：只能包含字母、数字和 @ . + - _，最长 150 个字符")
                % {"value": row.username},
            )


class OrgLookup:
    """Organization names under the page's organization: one query for the whole file."""

    def __init__(self, org: Organization, by):
        self.org, self.by = org, by
        self.by_name: dict[str, list[Organization]] = {}
        nodes = Organization.objects.subtree_of(org).only("id", "name", "path", "level", "depth")
        for node in nodes:
            self.by_name.setdefault(node.name.strip(), []).append(node)

    def find(self, name: str) -> tuple[Organization | None, str | None]:
        if not name:
            target = self.org
        else:
            matches = self.by_name.get(name, [])
            if not matches:
                return None, _("“%(value)s” 不是%(org)s下属的党组织，或不在您的管理范围内") % {
                    "value": name,
                    "org": self.org.name,
                }
            if len(matches) > 1:
                return None, _(
                    "%(org)s下有 %(n)d 个名为“%(value)s”的党组织，无法确定，请分别在各自的页面导入"
                ) % {"value": name, "org": self.org.name, "n": len(matches)}
            target = matches[0]
        if not can_import_roster(self.by, target):
            return None, _("“%(value)s” 不在您的管理范围内") % {"value": target.name}
        if not target.is_branch_level:
            return None, _(
                "“%(value)s” 不是党支部或党小组，党员应编入党支部；请填写所在党支部的名称"
            ) % {"value": target.name}
        return target, None


def check_duplicates(rows: list[Row], errors: list[RowError]) -> None:
    """Within the file, then against what is stored: a few queries for the whole file."""
    first_by_name: dict[tuple[int, str], int] = {}
    first_by_id: dict[str, int] = {}
    first_by_username: dict[str, int] = {}
    for row in rows:
        c = _checker(row, errors)
        if row.org is not None and row.name:
            key = (row.org.pk, row.name)
            if key in first_by_name:
                c.error(
                    "name",
                    _("“%(name)s” 在%(org)s中重复（与第 %(row)d 行相同）")
                    % {"name": row.name, "org": row.org.name, "row": first_by_name[key]},
                )
            else:
                first_by_name[key] = row.number
        if row.id_card:
            if row.id_card in first_by_id:
                c.error(
                    "id_card",
                    _("与第 %(row)d 行的身份证号重复") % {"row": first_by_id[row.id_card]},
                )
            else:
                first_by_id[row.id_card] = row.number
        if row.username:
            key_u = row.username.lower()
            if key_u in first_by_username:
                c.error(
                    "username",
                    _("与第 %(row)d 行的登录账号重复") % {"row": first_by_username[key_u]},
                )
            else:
                first_by_username[key_u] = row.number

    existing_names = set(
        Member.objects.filter(
            organization_id__in={k[0] for k in first_by_name},
            name__in={k[1] for k in first_by_name},
        ).values_list("organization_id", "name")
    )
    existing_ids = set(
        Member.objects.filter(id_card__in=list(first_by_id)).values_list("id_card", flat=True)
    )
    taken = set(
        get_user_model()
        .objects.annotate(lower_name=Lower("username"))
        .filter(lower_name__in=list(first_by_username))
        .values_list("lower_name", flat=True)
    )
    for row in rows:
        c = _checker(row, errors)
        if row.org is not None and (row.org.pk, row.name) in existing_names:
            c.error(
                "name",
                _("%(org)s已存在名为“%(name)s”的党员") % {"org": row.org.name, "name": row.name},
            )
        if row.id_card in existing_ids:
            c.error("id_card", _("该身份证号已登记在其他党员名下"))
        if row.username and row.username.lower() in taken:
            c.error("username", _("“%(value)s” 已被占用，请换一个") % {"value": row.username})
