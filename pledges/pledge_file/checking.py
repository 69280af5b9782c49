"""Checking pledge rows: each cell, the pledge rules (pledge_content.content_problems), then
duplicates within the file and the match against the book."""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from core.xlsx_import import Checker, RowError

from ..models import Member, Organization, Pledge
from ..pledge_content import PledgeContent, content_problems
from .shape import LEDGER, TEMPLATE, Row, parse_date

LEDGER_YEAR_RE = re.compile(r"(\d{4})年度承诺践诺台账")


def ledger_year(title: str) -> int | None:
    """The year in an exported ledger's title row ("东街社区党支部 2026年度承诺践诺台账")."""
    found = LEDGER_YEAR_RE.search(title)
    return int(found.group(1)) if found else None


class Owners:
    """Who may own a pledge in this file: the organization itself and its members, by name;
    one query for the whole file."""

    def __init__(self, org: Organization):
        self.org = org
        members = Member.objects.filter(organization=org).only("id", "name", "organization_id")
        self.by_name = {m.name.strip(): m for m in members}

    def unknown(self, name: str) -> str:
        return _("“%(value)s” 不是%(org)s的党员；党组织自身的承诺请填写“%(org)s”") % {
            "value": name,
            "org": self.org.name,
        }


def _same(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def same_content(pledge: Pledge, content: PledgeContent) -> bool:
    return (
        pledge.kind == content.kind
        and pledge.deadline == content.deadline
        and all(
            _same(getattr(pledge, name), getattr(content, name))
            for name in ("title", "measures", "expected_result")
        )
    )


def check_cells(row: Row, checker: Checker, owners: Owners) -> None:
    """Read the row's owner and content; every cell problem becomes an error."""
    c = checker
    if c.layout is TEMPLATE:
        name = c.text("owner")
        if not name:
            c.error(
                "owner",
                _("不能为空：填写党员姓名，或党组织名称“%(org)s”") % {"org": owners.org.name},
            )
        elif name != owners.org.name:
            row.owner = owners.by_name.get(name)
            if row.owner is None:
                c.error("owner", owners.unknown(name))
    else:
        org_name = c.text("org")
        if org_name != owners.org.name:
            c.error(
                "org",
                _("“%(value)s” 不是%(org)s；只能在各党组织自己的页面核对其台账")
                % {"value": org_name, "org": owners.org.name},
            )
        name = c.text("member")
        if name:
            row.owner = owners.by_name.get(name)
            if row.owner is None:
                c.error("member", owners.unknown(name))
    kind = c.choice("kind", _("承诺类别"), Pledge.Kind.choices)
    deadline, ok = parse_date(c.raw("deadline"))
    if not ok:
        c.error(
            "deadline",
            _("“%(value)s” 不是有效的日期，请按 2026-12-31 的格式填写")
            % {"value": c.text("deadline")},
        )
    elif deadline is not None and not 2000 <= deadline.year <= 2100:
        c.error("deadline", _("日期超出范围"))
        deadline = None
    row.content = PledgeContent(
        kind=kind,
        title=c.text("title"),
        measures=c.text("measures"),
        deadline=deadline,
        expected_result=c.text("expected_result"),
    )


def check_rules(row: Row, checker: Checker, year: int, half: int) -> None:
    """The pledge rules, shared with pledge_create; within the period, as the file is for one."""
    for name, message in content_problems(row.content, year, half, within_period=True):
        if name not in checker.reported:
            checker.error(name, message)


def match_book(
    rows: list[Row], checkers: list[Checker], org: Organization, year: int, half: int | None
) -> None:
    """Find each row's pledge in the book (same owner and title in the period): identical
    content is a match, left alone; a template row differing from it, a ledger row without
    one, or a row repeated in the file is an error. Two queries for the whole file."""
    book = Pledge.objects.filter(owner_org=org, year=year)
    if half is not None:
        book = book.filter(half=half)
    by_key: dict[tuple[int | None, str], list[Pledge]] = defaultdict(list)
    for pledge in book.only(*Pledge.CONTENT_FIELDS, "id", "owner_member_id", "status"):
        by_key[(pledge.owner_member_id, pledge.title.strip())].append(pledge)
    status_labels = dict(Pledge.Status.choices)
    first_row: dict[tuple[int | None, str], int] = {}
    for row, c in zip(rows, checkers, strict=True):
        if c.reported:
            continue
        key = (row.owner.pk if row.owner else None, row.content.title)
        if key in first_row:
            c.error("title", _("与第 %(row)d 行重复") % {"row": first_row[key]})
            continue
        first_row[key] = row.number
        candidates = by_key.get(key, [])
        row.existing = next((p for p in candidates if same_content(p, row.content)), None)
        if row.existing is not None:
            continue
        if c.layout is LEDGER:
            c.errors.append(
                RowError(
                    row.number,
                    None,
                    None,
                    _(
                        "与系统中的承诺不一致或系统中没有这项承诺。台账只用于核对，不能新增或修改"
                        "承诺：新增请使用导入模板，修改请在系统中办理"
                    ),
                )
            )
        elif candidates:
            c.error(
                "title",
                _("本期已有同名承诺（%(status)s），内容与表中不同；修改请在系统中办理")
                % {"status": status_labels[candidates[0].status]},
            )
